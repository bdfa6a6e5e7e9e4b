"""Reminders as outbox rows: one Slack could not take is retried by the outbox sweep with its
backoff and posted once; one Slack refuses for good is dead-lettered with its reason; one whose
escalation was reassigned before it went out is dropped, and the next round is a reminder of its
own."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.db.models import Escalation, utcnow
from app.db.outbox_table import OutboxEvent
from app.escalations.reminders import DROPPED, KIND
from standins.local_slack import LocalSlack
from tests.escalations.test_overflow_recovery import _outbox_sweep, _overdue, _real_desk, _sweep
from tests.slack.test_handoff import AM, OVERFLOW, cards_in, escalations, press


def _reminders(slack: LocalSlack) -> list[OutboxEvent]:
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        query = select(OutboxEvent).where(col(OutboxEvent.kind) == KIND).order_by(OutboxEvent.id)  # type: ignore[arg-type]
        return list(session.exec(query))


def test_a_reminder_slack_could_not_take_is_retried_and_posted_once(slack: LocalSlack) -> None:
    _overdue(slack)
    slack.standin.fail_next(
        "chat.postMessage", status=200, error="internal_error", channel=OVERFLOW
    )
    assert _sweep(slack, _real_desk(slack)) == 0
    assert cards_in(slack, OVERFLOW) == []
    [waiting] = _reminders(slack)
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert waiting.last_error is not None and "internal_error" in waiting.last_error

    _outbox_sweep(slack, later=timedelta(minutes=2))  # past the backoff
    [card] = cards_in(slack, OVERFLOW)
    [sent] = _reminders(slack)
    assert (sent.status, sent.attempts, sent.external_id) == ("delivered", 2, card["ts"])
    assert card["metadata"]["event_payload"]["key"] == sent.idempotency_key
    assert escalations(slack)[0].overflow_card_ts == card["ts"]
    _outbox_sweep(slack, later=timedelta(minutes=3))
    assert len(cards_in(slack, OVERFLOW)) == 1


def test_a_reminder_slack_refuses_for_good_is_dead_lettered(slack: LocalSlack) -> None:
    _overdue(slack)
    slack.standin.archive_channel(OVERFLOW)
    assert _sweep(slack, _real_desk(slack)) == 0
    [dead] = _reminders(slack)
    assert (dead.status, dead.attempts) == ("dead", 1)
    assert dead.last_error is not None and "is_archived" in dead.last_error
    assert OVERFLOW in dead.last_error


def test_a_reminder_of_a_reassigned_escalation_is_dropped_and_the_next_round_is_its_own(
    slack: LocalSlack,
) -> None:
    assert slack.runtime is not None
    _overdue(slack)
    slack.standin.fail_next(
        "chat.postMessage", status=200, error="internal_error", channel=OVERFLOW
    )
    assert _sweep(slack, _real_desk(slack)) == 0  # left to the outbox sweep
    [card] = cards_in(slack, AM)
    press(slack, card, "reassign_escalation", user="U0AGENT3", channel=AM, selected="technical")
    slack.standin.wait_for(lambda: escalations(slack)[0].skill == "technical")
    assert escalations(slack)[0].overflowed_at is None

    _outbox_sweep(slack, later=timedelta(minutes=2))
    [dropped] = _reminders(slack)
    assert (dropped.status, dropped.external_id) == ("delivered", DROPPED)
    assert cards_in(slack, OVERFLOW) == []

    slack.standin.wait_for(lambda: escalations(slack)[0].card_ts is not None)
    with Session(slack.runtime.engine) as session:  # the new round's window runs out too
        session.execute(update(Escalation).values(claim_deadline=utcnow() - timedelta(minutes=1)))
        session.commit()
    assert _sweep(slack, _real_desk(slack), later=timedelta(minutes=3)) == 1
    first, second = _reminders(slack)
    assert first.idempotency_key != second.idempotency_key
    [copy] = cards_in(slack, OVERFLOW)
    assert (second.status, second.external_id) == ("delivered", copy["ts"])
    assert escalations(slack)[0].overflow_card_ts == copy["ts"]
