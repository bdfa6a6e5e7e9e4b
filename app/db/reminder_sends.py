"""Reminder sends: taken (``sending``) before the post, ``sent`` after, settled by the next
worker when their holder died in between."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.db.models import Escalation, ReminderSend


@dataclass(frozen=True)
class StaleSend:
    """A reminder left ``sending`` by a holder whose lease ran out."""

    escalation_id: int
    step: str
    key: str
    taken_at: datetime
    held_at: datetime


def start_send(
    *, session: Session, escalation_id: int, step: str, key: str, holder: str, now: datetime
) -> None:
    """Mark the reminder ``sending`` by ``holder`` (replacing a previous round's row)."""
    session.execute(
        delete(ReminderSend).where(
            col(ReminderSend.escalation_id) == escalation_id, col(ReminderSend.step) == step
        )
    )
    session.add(
        ReminderSend(
            escalation_id=escalation_id,
            step=step,
            key=key,
            holder=holder,
            taken_at=now,
            held_at=now,
        )
    )


def stale_sends(
    *, session: Session, now: datetime, lease: timedelta, team_id: str | None = None
) -> list[StaleSend]:
    """Sends still ``sending`` whose holder has not finished within ``lease``."""
    query = select(ReminderSend).where(
        col(ReminderSend.status) == "sending", col(ReminderSend.held_at) < now - lease
    )
    if team_id is not None:
        query = query.join(Escalation, col(Escalation.id) == col(ReminderSend.escalation_id)).where(
            col(Escalation.team_id) == team_id
        )
    return [
        StaleSend(row.escalation_id, row.step, row.key, row.taken_at, row.held_at)
        for row in session.exec(query.order_by(col(ReminderSend.held_at)))
    ]


def take_over_send(
    *, session: Session, send: StaleSend, holder: str, now: datetime, lease: timedelta
) -> bool:
    """True when ``holder`` now owns the stale send (another worker may have been quicker)."""
    result = session.execute(
        update(ReminderSend)
        .where(
            col(ReminderSend.escalation_id) == send.escalation_id,
            col(ReminderSend.step) == send.step,
            col(ReminderSend.status) == "sending",
            col(ReminderSend.held_at) < now - lease,
        )
        .values(holder=holder, held_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def finish_send(
    *,
    session: Session,
    escalation_id: int,
    step: str,
    now: datetime,
    ts: str | None,
    status: str = "sent",
) -> None:
    """``sent`` (with the message's ``ts``), or ``dropped`` when the reminder is moot."""
    session.execute(
        update(ReminderSend)
        .where(col(ReminderSend.escalation_id) == escalation_id, col(ReminderSend.step) == step)
        .values(status=status, sent_at=now, ts=ts)
    )
