"""Chatter in Slack: pleasantries get no reply, no conversation and no card; requests still do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from standins.local_slack import LocalSlack
from tests.conftest import example_config_text
from tests.slack.conftest import Rows
from tests.slack.test_triage_flow import INITECH, ask, bot_replies, decisions


@pytest.mark.parametrize(
    "text",
    [
        "thanks!",
        "Thank you so much for the quick help :pray:",
        "good morning team :wave:",
        "🙏🙏🔥",
        ":thumbsup:",
        "ok, got it",
        "joining the call now",
        "Welcome <@U0NEWCOLLEAGUE>!",
        "¡Muchas gracias!",
        "Vielen Dank!",
        "ありがとうございます",
    ],
)
def test_chatter_gets_no_reply_and_no_card(slack: LocalSlack, rows: Rows, text: str) -> None:
    customer = slack.customer_of(INITECH)
    sent = slack.say(INITECH, user=customer.user_id, team=customer.team_id, text=text)
    assert [e.status for e in rows.events()] == ["done"]
    assert bot_replies(slack, INITECH, sent.ts) == []
    assert rows.conversations() == [] and rows.escalations() == [] and decisions(slack) == []
    message = slack.standin.find_message(INITECH, sent.ts)
    assert message is not None and "reactions" not in message


def test_a_request_worded_with_thanks_is_still_a_request(slack: LocalSlack, rows: Rows) -> None:
    _ts, reply = ask(slack, INITECH, "thanks, but how do I export a board to CSV")
    assert reply["text"]
    [conversation] = rows.conversations()
    assert conversation.status in ("answered", "escalated")


def test_acknowledgement_after_an_answer_asks_nothing_again(slack: LocalSlack, rows: Rows) -> None:
    customer = slack.customer_of(INITECH)
    root, _ = ask(slack, INITECH, "How do I export a board to CSV?")
    slack.say(INITECH, user=customer.user_id, team=customer.team_id, text="ok 👍", thread_ts=root)
    assert len(bot_replies(slack, INITECH, root)) == 1
    assert len(decisions(slack)) == 1
    assert rows.conversations()[0].status == "answered"
    assert len(rows.messages()) == 3  # question, answer and the acknowledgement, all stored


@pytest.fixture
def reacting(database_url: str, tmp_path: Path) -> Iterator[LocalSlack]:
    text = example_config_text().replace("policy:\n", "policy:\n  chatter_reaction: eyes\n", 1)
    config = tmp_path / "escalation.yml"
    config.write_text(text)
    with LocalSlack(database_url=database_url, config_path=config) as local:
        yield local


def test_configured_reaction_is_the_only_answer_to_chatter(reacting: LocalSlack) -> None:
    customer = reacting.customer_of(INITECH)
    sent = reacting.say(INITECH, user=customer.user_id, team=customer.team_id, text="thx!")
    message = reacting.standin.find_message(INITECH, sent.ts)
    assert message is not None
    assert [r["name"] for r in message["reactions"]] == ["eyes"]
    assert bot_replies(reacting, INITECH, sent.ts) == []
    assert Rows(reacting).conversations() == []
