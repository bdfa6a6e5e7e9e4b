"""Slots of scheduled jobs: taken by one worker, taken over when that worker died mid-run."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import update
from sqlmodel import Session, col

from app.db.engine import insert_or_ignore
from app.db.models import ScheduledRun

SlotTaken = Literal["new", "taken_over"]


def take_slot(
    *,
    session: Session,
    job_id: str,
    slot: datetime,
    now: datetime,
    lease: timedelta,
    holder: str | None = None,
) -> SlotTaken | None:
    """How ``holder`` now owns the slot: ``new`` (nobody took it yet) or ``taken_over`` (its
    taker held it past ``lease`` without finishing: killed, maybe after posting). None when
    it is done or being run."""
    taken = session.execute(
        insert_or_ignore(session, ScheduledRun)
        .values(job_id=job_id, slot=slot, status="running", taken_at=now, holder=holder)
        .returning(col(ScheduledRun.job_id))
    ).first()
    if taken is not None:
        return "new"
    result = session.execute(
        update(ScheduledRun)
        .where(
            col(ScheduledRun.job_id) == job_id,
            col(ScheduledRun.slot) == slot,
            col(ScheduledRun.status) == "running",
            col(ScheduledRun.taken_at) < now - lease,
        )
        .values(taken_at=now, holder=holder)
    )
    return "taken_over" if result.rowcount else None  # type: ignore[attr-defined]


def finish_slot(*, session: Session, job_id: str, slot: datetime, now: datetime) -> None:
    session.execute(
        update(ScheduledRun)
        .where(col(ScheduledRun.job_id) == job_id, col(ScheduledRun.slot) == slot)
        .values(status="done", finished_at=now)
    )
