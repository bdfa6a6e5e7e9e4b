"""Thread notices: stored with the claim or resolution that calls for them, taken for a short
lease by whoever posts them, ``sent`` once posted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, update
from sqlmodel import Session, col, select

from app.db.engine import insert_or_ignore, unchanged
from app.db.models import Escalation, ThreadNotice, as_utc

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Notice:
    """A taken notice: what to post, where, and the key it carries."""

    id: int
    escalation_id: int
    kind: str
    key: str
    channel: str
    thread_ts: str
    text: str | None
    rating_id: int | None
    attempts: int


def queue_notice(
    *,
    session: Session,
    escalation_id: int,
    kind: str,
    key: str,
    channel: str,
    thread_ts: str,
    now: datetime,
    text: str | None = None,
    rating_id: int | None = None,
) -> None:
    """Store a notice to post (once per key: queuing it again changes nothing)."""
    session.execute(
        insert_or_ignore(session, ThreadNotice).values(
            escalation_id=escalation_id,
            kind=kind,
            key=key,
            channel=channel,
            thread_ts=thread_ts,
            text=text,
            rating_id=rating_id,
            status="pending",
            attempts=0,
            created_at=now,
        )
    )


def take_notices(
    *,
    session: Session,
    now: datetime,
    lease: timedelta,
    escalation_id: int | None = None,
    waited: timedelta | None = None,
    team_id: str | None = None,
    limit: int = 50,
) -> list[Notice]:
    """Take pending notices, oldest first: of one escalation, or (``waited``) those stored at
    least that long ago. A thread reads in order, so an escalation's notices are taken only up
    to the first one another poster holds (its lease still running)."""
    query = select(ThreadNotice).where(col(ThreadNotice.status) == "pending")
    if escalation_id is not None:
        query = query.where(col(ThreadNotice.escalation_id) == escalation_id)
    if waited is not None:
        query = query.where(col(ThreadNotice.created_at) < now - waited)
    if team_id is not None:
        query = query.join(Escalation, col(Escalation.id) == col(ThreadNotice.escalation_id)).where(
            col(Escalation.team_id) == team_id
        )
    taken: list[Notice] = []
    blocked: set[int] = set()  # escalations with a notice held by another poster
    for row in session.exec(query.order_by(col(ThreadNotice.id)).limit(limit)).all():
        assert row.id is not None
        if row.escalation_id in blocked:
            continue
        if row.held_at is not None and as_utc(row.held_at) >= now - lease:
            blocked.add(row.escalation_id)
            continue
        result = session.execute(
            update(ThreadNotice)
            .where(
                col(ThreadNotice.id) == row.id,
                col(ThreadNotice.status) == "pending",
                unchanged(col(ThreadNotice.held_at), row.held_at),  # nobody took it since
            )
            .values(held_at=now)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            blocked.add(row.escalation_id)  # another poster was quicker
            continue
        taken.append(
            Notice(
                row.id,
                row.escalation_id,
                row.kind,
                row.key,
                row.channel,
                row.thread_ts,
                row.text,
                row.rating_id,
                row.attempts,
            )
        )
    return taken


def finish_notice(*, session: Session, notice_id: int, ts: str, now: datetime) -> None:
    session.execute(
        update(ThreadNotice)
        .where(col(ThreadNotice.id) == notice_id)
        .values(status="sent", ts=ts, sent_at=now, held_at=None, error=None)
    )


def release_notice(*, session: Session, notice_id: int, error: str) -> None:
    """The post failed: free the notice for the worker's next pass, or give it up (``failed``,
    with its error) after ``MAX_ATTEMPTS``."""
    attempts = col(ThreadNotice.attempts) + 1
    session.execute(
        update(ThreadNotice)
        .where(col(ThreadNotice.id) == notice_id)
        .values(
            held_at=None,
            attempts=attempts,
            error=error[:200],
            status=case((attempts >= MAX_ATTEMPTS, "failed"), else_="pending"),
        )
    )


def free_notices(*, session: Session, notice_ids: list[int]) -> None:
    """Give taken notices back untried (they wait for the worker's next pass)."""
    if notice_ids:
        session.execute(
            update(ThreadNotice).where(col(ThreadNotice.id).in_(notice_ids)).values(held_at=None)
        )
