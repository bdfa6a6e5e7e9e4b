"""Stored Slack events: de-duplication of retries and the record of what was finished."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.db.models import SlackEvent, utcnow

MAX_ATTEMPTS = 5


class Stored(enum.Enum):
    NEW = "new"  # first delivery: process it
    RETRY = "retry"  # an earlier attempt failed: process it again
    DUPLICATE = "duplicate"  # already done or in progress: acknowledge only


def store_event(
    *, session: Session, event_id: str, team_id: str | None, event_type: str, payload: str
) -> Stored:
    """Record a delivery before it is acknowledged; tells whether to process it."""
    try:
        with session.begin_nested():
            session.add(
                SlackEvent(
                    event_id=event_id, team_id=team_id, event_type=event_type, payload=payload
                )
            )
        return Stored.NEW
    except IntegrityError:
        pass
    claimed = session.execute(
        update(SlackEvent)
        .where(
            col(SlackEvent.event_id) == event_id,
            col(SlackEvent.status) == "failed",
            col(SlackEvent.attempts) < MAX_ATTEMPTS,
        )
        .values(status="received")
    )
    return Stored.RETRY if claimed.rowcount else Stored.DUPLICATE  # type: ignore[attr-defined]


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
    """Events that failed (with attempts left) or were received long ago and never finished
    (of the installation ``team_id``, if given)."""
    teams = [col(SlackEvent.team_id) == team_id] if team_id is not None else []
    return list(
        session.exec(
            select(SlackEvent)
            .where(
                *teams,
                or_(
                    (col(SlackEvent.status) == "failed")
                    & (col(SlackEvent.attempts) < MAX_ATTEMPTS),
                    (col(SlackEvent.status) == "received")
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
        .values(status="received", received_at=utcnow())
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
