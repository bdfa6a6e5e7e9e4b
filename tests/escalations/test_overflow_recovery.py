"""Reminders a worker left half-sent (marked ``sending``, then it died) are settled by the next
sweep after ``REMINDER_LEASE``: found in the channel by their metadata key, they are marked sent
and not posted again; missing, they are posted; moot (claimed since), they are dropped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.db.models import Escalation, ReminderSend, utcnow
from app.escalations.card import HandoffCard
from app.escalations.overflow import REMINDER_LEASE, sweep_overflow
from app.process_identity import this_worker
from app.slack.agent_desk import SlackAgentDesk
from app.slack.client import build_web_client
from standins.local_slack import LocalSlack
from tests.slack.test_handoff import (
    ACME,
    LEADS,
    OVERFLOW,
    cards_in,
    escalate,
    escalations,
    press,
)


class WorkerDiedError(Exception):
    """Where a killed worker stops."""


class DyingDesk(SlackAgentDesk):
    """The real desk, in a worker that dies right before or right after its card post."""

    def __init__(self, slack: LocalSlack, *, after_post: bool) -> None:
        assert slack.runtime is not None
        super().__init__(build_web_client(slack.runtime.settings))
        self.after_post = after_post

    def post_card(self, *, channel: str, card: HandoffCard, key: str | None = None) -> str:
        if self.after_post:
            super().post_card(channel=channel, card=card, key=key)
        raise WorkerDiedError

    def post_notice(self, *, channel: str, text: str, key: str | None = None) -> str:
        if self.after_post:
            super().post_notice(channel=channel, text=text, key=key)
        raise WorkerDiedError


def _overdue(slack: LocalSlack) -> int:
    """An enterprise escalation whose claim window has just run out."""
    assert slack.runtime is not None
    escalate(slack, ACME, "Cancel our contract please")
    [escalation] = escalations(slack)
    with Session(slack.runtime.engine) as session:
        session.execute(
            update(Escalation)
            .where(col(Escalation.id) == escalation.id)
            .values(claim_deadline=utcnow() - timedelta(minutes=1))
        )
        session.commit()
    assert escalation.id is not None
    return escalation.id


def _sweep(slack: LocalSlack, desk: SlackAgentDesk, *, later: timedelta = timedelta(0)) -> int:
    assert slack.runtime is not None
    return sweep_overflow(
        engine=slack.runtime.engine, config=slack.runtime.config, desk=desk, now=utcnow() + later
    )


def _send(slack: LocalSlack, step: str = "overflow") -> ReminderSend:
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        [send] = session.exec(select(ReminderSend).where(col(ReminderSend.step) == step))
        return send


def _real_desk(slack: LocalSlack) -> SlackAgentDesk:
    assert slack.runtime is not None
    return SlackAgentDesk(build_web_client(slack.runtime.settings))


def test_a_reminder_slack_took_before_its_worker_died_is_not_posted_again(
    slack: LocalSlack,
) -> None:
    escalation_id = _overdue(slack)
    with pytest.raises(WorkerDiedError):
        _sweep(slack, DyingDesk(slack, after_post=True))
    [card] = cards_in(slack, OVERFLOW)
    assert card["metadata"]["event_payload"]["key"] == _send(slack).key
    assert (_send(slack).status, _send(slack).holder) == ("sending", this_worker())
    assert _sweep(slack, _real_desk(slack)) == 0  # the holder's lease still runs
    assert _sweep(slack, _real_desk(slack), later=REMINDER_LEASE + timedelta(seconds=1)) == 0
    assert len(cards_in(slack, OVERFLOW)) == 1
    send = _send(slack)
    assert (send.status, send.ts) == ("sent", card["ts"])
    [escalation] = escalations(slack)
    assert escalation.overflow_card_ts == card["ts"] and escalation.id == escalation_id


def test_a_reminder_lost_with_its_worker_is_posted_by_the_next_one(slack: LocalSlack) -> None:
    _overdue(slack)
    with pytest.raises(WorkerDiedError):
        _sweep(slack, DyingDesk(slack, after_post=False))
    assert cards_in(slack, OVERFLOW) == []
    assert _sweep(slack, _real_desk(slack), later=REMINDER_LEASE + timedelta(seconds=1)) == 1
    [card] = cards_in(slack, OVERFLOW)
    assert card["metadata"]["event_payload"]["key"] == _send(slack).key
    assert _send(slack).status == "sent"
    assert _sweep(slack, _real_desk(slack), later=2 * REMINDER_LEASE) == 0
    assert len(cards_in(slack, OVERFLOW)) == 1


def test_a_reminder_claimed_meanwhile_is_dropped(slack: LocalSlack) -> None:
    _overdue(slack)
    with pytest.raises(WorkerDiedError):
        _sweep(slack, DyingDesk(slack, after_post=False))
    [card] = [m for m in slack.standin.messages_in("C0AM") if m.get("bot_id")]
    press(slack, card, "claim_escalation", user="U0AGENT3", channel="C0AM")
    slack.standin.wait_for(lambda: escalations(slack)[0].status == "claimed")
    assert _sweep(slack, _real_desk(slack), later=REMINDER_LEASE + timedelta(seconds=1)) == 0
    assert cards_in(slack, OVERFLOW) == []
    assert _send(slack).status == "dropped"


@pytest.mark.parametrize("after_post", [True, False], ids=["slack-had-it", "lost"])
def test_a_leads_alert_interrupted_by_a_dying_worker_goes_out_once(
    slack: LocalSlack, after_post: bool
) -> None:
    assert slack.runtime is not None
    _overdue(slack)
    assert _sweep(slack, _real_desk(slack)) == 1  # the overflow card
    with Session(slack.runtime.engine) as session:  # the second window has run out too
        session.execute(update(Escalation).values(overflowed_at=utcnow() - timedelta(minutes=6)))
        session.commit()
    with pytest.raises(WorkerDiedError):
        _sweep(slack, DyingDesk(slack, after_post=after_post))
    assert _send(slack, "leads").status == "sending"
    later = REMINDER_LEASE + timedelta(seconds=1)
    assert _sweep(slack, _real_desk(slack), later=later) == (0 if after_post else 1)
    [alert] = [m for m in cards_in(slack, LEADS) if "still unclaimed" in m["text"]]
    assert alert["metadata"]["event_payload"]["key"] == _send(slack, "leads").key
    assert (_send(slack, "leads").status, _send(slack, "leads").ts) == ("sent", alert["ts"])
    assert len(cards_in(slack, OVERFLOW)) == 1
