"""Reminders a worker left half-sent (their outbox row claimed, then it died) are settled by the
outbox sweep after the claim's ``LEASE``: found in the channel by their metadata key, they are
marked delivered and not posted again; missing, they are posted; moot (claimed since), they are
dropped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.db.models import Escalation, utcnow
from app.db.outbox_table import OutboxEvent
from app.delivery.outbox import LEASE
from app.escalations.card import HandoffCard
from app.escalations.overflow import sweep_overflow
from app.escalations.reminders import DROPPED, KIND
from app.slack.agent_desk import SlackAgentDesk
from app.slack.client import build_web_client
from app.worker.outbox_jobs import deliver_outbox, outbox_senders
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


class WorkerDiedError(BaseException):
    """Where a killed worker stops (nothing after it runs, not even the outbox's handling of a
    failed attempt)."""


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


def _outbox_sweep(slack: LocalSlack, *, later: timedelta) -> int:
    """The worker's ``deliver_outbox`` job, ``later`` from now."""
    assert slack.runtime is not None
    senders = outbox_senders(slack.runtime, build_web_client(slack.runtime.settings))
    return deliver_outbox(slack.runtime, senders, lambda: [], now=utcnow() + later)


def _send(slack: LocalSlack, step: str = "overflow") -> OutboxEvent:
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        rows = session.exec(select(OutboxEvent).where(col(OutboxEvent.kind) == KIND))
        [send] = [row for row in rows if f":{step}:" in row.idempotency_key]
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
    assert card["metadata"]["event_payload"]["key"] == _send(slack).idempotency_key
    assert (_send(slack).status, _send(slack).attempts) == ("delivering", 1)
    assert _sweep(slack, _real_desk(slack)) == 0  # not due again
    assert _outbox_sweep(slack, later=timedelta(minutes=1)) == 0  # the claim's lease still runs
    assert _outbox_sweep(slack, later=LEASE + timedelta(seconds=1)) == 1  # found, not posted
    assert len(cards_in(slack, OVERFLOW)) == 1
    send = _send(slack)
    assert (send.status, send.external_id) == ("delivered", card["ts"])
    [escalation] = escalations(slack)
    assert escalation.overflow_card_ts == card["ts"] and escalation.id == escalation_id


def test_a_reminder_lost_with_its_worker_is_posted_by_the_next_one(slack: LocalSlack) -> None:
    _overdue(slack)
    with pytest.raises(WorkerDiedError):
        _sweep(slack, DyingDesk(slack, after_post=False))
    assert cards_in(slack, OVERFLOW) == []
    assert _outbox_sweep(slack, later=LEASE + timedelta(seconds=1)) == 1
    [card] = cards_in(slack, OVERFLOW)
    assert card["metadata"]["event_payload"]["key"] == _send(slack).idempotency_key
    assert (_send(slack).status, _send(slack).external_id) == ("delivered", card["ts"])
    assert escalations(slack)[0].overflow_card_ts == card["ts"]
    assert _outbox_sweep(slack, later=2 * LEASE) == 0
    assert len(cards_in(slack, OVERFLOW)) == 1


def test_a_reminder_claimed_meanwhile_is_dropped(slack: LocalSlack) -> None:
    _overdue(slack)
    with pytest.raises(WorkerDiedError):
        _sweep(slack, DyingDesk(slack, after_post=False))
    [card] = [m for m in slack.standin.messages_in("C0AM") if m.get("bot_id")]
    press(slack, card, "claim_escalation", user="U0AGENT3", channel="C0AM")
    slack.standin.wait_for(lambda: escalations(slack)[0].status == "claimed")
    _outbox_sweep(slack, later=LEASE + timedelta(seconds=1))  # (with the claim's notice)
    assert cards_in(slack, OVERFLOW) == []
    assert (_send(slack).status, _send(slack).external_id) == ("delivered", DROPPED)
    assert escalations(slack)[0].overflow_card_ts is None


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
    assert _send(slack, "leads").status == "delivering"
    assert _outbox_sweep(slack, later=LEASE + timedelta(seconds=1)) == 1
    [alert] = [m for m in cards_in(slack, LEADS) if "still unclaimed" in m["text"]]
    leads = _send(slack, "leads")
    assert alert["metadata"]["event_payload"]["key"] == leads.idempotency_key
    assert (leads.status, leads.external_id) == ("delivered", alert["ts"])
    assert len(cards_in(slack, OVERFLOW)) == 1
