"""Stored Slack events: de-duplication of retries and the record of what was finished."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, or_, update
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from app.db.engine import insert_or_ignore
from app.db.models import SlackEvent, utcnow

MAX_ATTEMPTS = 5
QUEUED = "queued"  # stored and acknowledged, waiting for an event processor
RECEIVED = "received"  # being processed (or stored by a web process that processes it itself)


class Stored(enum.Enum):
    NEW = "new"  # first delivery: process it
    RETRY = "retry"  # an earlier attempt failed: process it again
    DUPLICATE = "duplicate"  # already done or in progress: acknowledge only


def store_event(
    *,
    session: Session | Connection,
    event_id: str,
    team_id: str | None,
    event_type: str,
    payload: str,
    queue: bool = False,
    received_at: datetime | None = None,
) -> Stored:
    """Record a delivery before it is acknowledged; tells whether to process it.

    With ``queue`` the event is left ``queued`` for an event processor (the caller wakes the
    processors once committed: :func:`app.db.event_notifier.notify_event_processors`); otherwise
    the caller processes it, first taking it with :func:`claim_for_retry` and ``received_at``
    (so that the worker's retry of an event that waited too long and the caller's own run never
    both process it).
    """
    status = QUEUED if queue else RECEIVED
    received_at = received_at or utcnow()
    inserted = session.execute(
        _insert_statement(session),
        {
            "event_id": event_id,
            "team_id": team_id,
            "event_type": event_type,
            "payload": payload,
            "status": status,
            "attempts": 0,
            "received_at": received_at,
        },
    )
    if inserted.first() is not None:
        stored = Stored.NEW
    else:
        claimed = session.execute(
            update(SlackEvent)
            .where(
                col(SlackEvent.event_id) == event_id,
                col(SlackEvent.status) == "failed",
                col(SlackEvent.attempts) < MAX_ATTEMPTS,
            )
            .values(status=status, received_at=received_at)
        )
        stored = Stored.RETRY if claimed.rowcount else Stored.DUPLICATE  # type: ignore[attr-defined]
    return stored


_INSERTS: dict[str, Any] = {}


def _insert_statement(session: Session | Connection) -> Any:
    """The delivery's ``INSERT … ON CONFLICT DO NOTHING RETURNING event_id``, built once per
    database dialect on the Core table with bound parameters (the ack path runs it per request)."""
    bind = session if isinstance(session, Connection) else session.get_bind()
    statement = _INSERTS.get(bind.dialect.name)
    if statement is None:
        table = SlackEvent.__table__  # type: ignore[attr-defined]
        statement = (
            insert_or_ignore(session, table)
            .values({name: bindparam(name) for name in _STORED_COLUMNS})
            .returning(table.c.event_id)
        )
        _INSERTS[bind.dialect.name] = statement
    return statement


_STORED_COLUMNS = (
    "event_id",
    "team_id",
    "event_type",
    "payload",
    "status",
    "attempts",
    "received_at",
)


def claim_queued_events(*, session: Session, limit: int) -> list[tuple[str, str, str | None]]:
    """Take up to ``limit`` queued events, oldest first, for this processor: (event_id, payload,
    the team id of the installation it was authorized for).

    One statement: on PostgreSQL the rows are locked ``FOR UPDATE SKIP LOCKED`` so concurrent
    processors take disjoint events; SQLite runs one writer at a time. A taken event looks freshly
    received, so a processor that dies with it leaves it to the worker's stale-event retry.
    """
    waiting = select(SlackEvent.event_id).where(col(SlackEvent.status) == QUEUED)
    on_sqlite = session.get_bind().dialect.name == "sqlite"
    if on_sqlite and session.exec(waiting.limit(1)).first() is None:
        return []  # a read takes no lock: idle polls never make web processes' inserts wait
    oldest = (
        select(SlackEvent.event_id)
        .where(col(SlackEvent.status) == QUEUED)
        .order_by(col(SlackEvent.received_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = session.execute(
        update(SlackEvent)
        .where(col(SlackEvent.event_id).in_(oldest.scalar_subquery()))
        .values(status=RECEIVED, received_at=utcnow())
        .returning(col(SlackEvent.event_id), col(SlackEvent.payload), col(SlackEvent.team_id))
    ).all()
    return [
        (str(event_id), str(payload), str(team_id) if team_id else None)
        for event_id, payload, team_id in rows
    ]


def finish_event(*, session: Session, event_id: str, status: str = "done") -> None:
    session.execute(
        update(SlackEvent)
        .where(col(SlackEvent.event_id) == event_id)
        .values(status=status, finished_at=utcnow(), last_error=None)
    )


def fail_event(*, session: Session, event_id: str, error: str) -> None:
    session.execute(
        update(SlackEvent)
        .where(col(SlackEvent.event_id) == event_id)
        .values(status="failed", attempts=SlackEvent.attempts + 1, last_error=error[:500])
    )


def unfinished_events(
    *,
    session: Session,
    now: datetime,
    stale_after: timedelta,
    limit: int = 50,
    team_id: str | None = None,
) -> list[SlackEvent]:
    """Events that failed (with attempts left), or were received or queued long ago and never
    finished (a crashed process, or no event processor running); of the installation
    ``team_id``, if given."""
    teams = [col(SlackEvent.team_id) == team_id] if team_id is not None else []
    return list(
        session.exec(
            select(SlackEvent)
            .where(
                *teams,
                or_(
                    (col(SlackEvent.status) == "failed")
                    & (col(SlackEvent.attempts) < MAX_ATTEMPTS),
                    (col(SlackEvent.status).in_([RECEIVED, QUEUED]))
                    & (col(SlackEvent.received_at) < now - stale_after),
                ),
            )
            .order_by(col(SlackEvent.received_at))
            .limit(limit)
        )
    )


def claim_for_retry(
    *, session: Session, event_id: str, expected_status: str, expected_received_at: datetime
) -> bool:
    """Take an unfinished event for a retry (it looks freshly received again, so a crash during
    the retry makes it stale once more); False if another process took it first."""
    result = session.execute(
        update(SlackEvent)
        .where(
            col(SlackEvent.event_id) == event_id,
            col(SlackEvent.status) == expected_status,
            col(SlackEvent.received_at) == expected_received_at,
        )
        .values(status=RECEIVED, received_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def prune_events(*, session: Session, older_than: datetime) -> int:
    """Forget finished events past the retry horizon of Slack (it retries for about an hour)."""
    result = session.execute(
        delete(SlackEvent).where(
            col(SlackEvent.status).in_(["done", "ignored"]),
            col(SlackEvent.received_at) < older_than,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
