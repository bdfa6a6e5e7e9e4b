"""A real ``escalation-bot events`` process SIGKILLed while posting the reply to a customer or
the handoff card, then the worker's retry of the unfinished event: exactly one reply in the
customer's thread and one card, recorded, whether or not Slack had accepted the killed post.

As in ``test_worker_killed``, the stand-in holds the post at the chosen moment and the test
moves the dead process's times back by the wait (the stale-event delay, the card lease) instead
of waiting it out.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from app.conversations.flow import reply_key
from app.db.models import Escalation, Message, SlackEvent, TriageDecision
from app.escalations.handoff import CARD_LEASE, card_key
from app.worker.event_retry import STALE_AFTER
from standins.local_slack import LocalSlack
from standins.slack.standin import SlackStandin
from standins.slack.workspace import Workspace
from tests.slack.test_handoff import ACME, AM, cards_in
from tests.slack.test_triage_flow import bot_replies
from tests.worker.test_worker_killed import BOT_TOKEN, WAIT, _kill, _lease_runs_out, _worker

QUESTION = "Is there an API rate limit?"
CANCEL = "Cancel our contract please"


@pytest.fixture
def slack(database_url: str, config_copy: Path) -> Iterator[LocalSlack]:
    """Web processes that only store and ack; the events are left to event processors."""
    standin = SlackStandin(bot_token=BOT_TOKEN, workspace=Workspace(wall_clock_ts=True))
    with LocalSlack(
        database_url=database_url,
        config_path=config_copy,
        standin=standin,
        event_processing="worker",
    ) as local:
        yield local


def _rows(slack: LocalSlack, model: Any) -> list[Any]:
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        return list(session.exec(select(model)))


def _ask(slack: LocalSlack, text: str) -> str:
    """The customer posts; Slack delivers the event (stored and acked, not yet processed)."""
    assert slack.sender is not None
    customer = slack.customer_of(ACME)
    ts = slack.standin.add_message(ACME, user=customer.user_id, text=text, team=customer.team_id)
    slack.sender.message(ACME, customer.user_id, text, user_team=customer.team_id, ts=ts)
    return ts


def _killed_while_posting(
    slack: LocalSlack,
    database_url: str,
    config_copy: Path,
    *,
    text: str,
    channel: str,
    accepted: bool,
) -> str:
    """The customer writes ``text``; the event processor is killed while its post in
    ``channel`` is held (after or before Slack accepted it). Returns the message's ts."""
    stall = slack.standin.stall_next("chat.postMessage", channel=channel, accept=accepted)
    with _worker(slack, database_url, config_copy, "events", event_processing="worker") as pid:
        ts = _ask(slack, text)
        stall.wait_reached(timeout=WAIT)
        _kill(pid)
    stall.release()
    [event] = _rows(slack, SlackEvent)
    assert event.status == "received"  # taken by the dead processor, never finished
    return ts


def _retried_by_the_worker(slack: LocalSlack, database_url: str, config_copy: Path) -> None:
    _lease_runs_out(slack, SlackEvent, "received_at", STALE_AFTER)
    with _worker(slack, database_url, config_copy, event_processing="worker"):
        slack.standin.wait_for(
            lambda: [e.status for e in _rows(slack, SlackEvent)] == ["done"], timeout=WAIT
        )


@pytest.mark.parametrize("accepted", [True, False], ids=["after-slack-accepted", "before-slack"])
def test_a_processor_killed_while_replying_replies_exactly_once(
    slack: LocalSlack, database_url: str, config_copy: Path, accepted: bool
) -> None:
    ts = _killed_while_posting(
        slack, database_url, config_copy, text=QUESTION, channel=ACME, accepted=accepted
    )
    [decision] = _rows(slack, TriageDecision)
    assert decision.reply_ts is None  # the dead processor never recorded its reply
    assert len(bot_replies(slack, ACME, ts)) == (1 if accepted else 0)

    _retried_by_the_worker(slack, database_url, config_copy)

    [reply] = bot_replies(slack, ACME, ts)
    assert reply["metadata"] == {
        "event_type": "bot_reply",
        "event_payload": {"key": reply_key(decision.id)},
    }
    [decision] = _rows(slack, TriageDecision)
    assert decision.reply_ts == reply["ts"]
    bot_messages = [m for m in _rows(slack, Message) if m.author == "bot"]
    assert [m.slack_ts for m in bot_messages] == [reply["ts"]]
    # Looking for the reply in the thread is for retries only: the killed first try did not.
    reads = slack.standin.calls_to("conversations.replies")
    assert [call.args["ts"] for call in reads] == [ts]


@pytest.mark.parametrize("accepted", [True, False], ids=["after-slack-accepted", "before-slack"])
def test_a_processor_killed_while_posting_the_card_posts_it_exactly_once(
    slack: LocalSlack, database_url: str, config_copy: Path, accepted: bool
) -> None:
    ts = _killed_while_posting(
        slack, database_url, config_copy, text=CANCEL, channel=AM, accepted=accepted
    )
    [escalation] = _rows(slack, Escalation)
    assert escalation.routed_channel == AM
    assert escalation.card_ts is None and escalation.card_claimed_at is not None
    assert len(cards_in(slack, AM)) == (1 if accepted else 0)
    _lease_runs_out(slack, Escalation, "card_claimed_at", CARD_LEASE)

    _retried_by_the_worker(slack, database_url, config_copy)
    slack.standin.wait_for(lambda: _rows(slack, Escalation)[0].card_ts is not None, timeout=WAIT)

    [card] = cards_in(slack, AM)
    assert card["metadata"] == {
        "event_type": "handoff_card",
        "event_payload": {"key": card_key(escalation.id)},
    }
    [escalation] = _rows(slack, Escalation)
    assert (escalation.card_channel, escalation.card_ts) == (AM, card["ts"])
    assert escalation.card_claimed_at is None
    assert len(bot_replies(slack, ACME, ts)) == 1  # the hand-off message, once
    # The card was looked for (in its channel) only when a dead poster's lease was taken over.
    looked = [call.args["channel"] for call in slack.standin.calls_to("conversations.history")]
    assert AM in looked
