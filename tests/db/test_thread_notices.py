"""Thread notices in the database: stored once per key, taken in order for a lease, an
escalation's later notices never taken past one another poster holds, given up after
``MAX_ATTEMPTS`` refusals."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.db.engine import session_scope
from app.db.models import ThreadNotice, utcnow
from app.db.thread_notices import (
    MAX_ATTEMPTS,
    finish_notice,
    free_notices,
    queue_notice,
    release_notice,
    take_notices,
)
from tests.routing.test_claim_order import _waiting

LEASE = timedelta(minutes=2)
NOW = utcnow()


def _queue(engine: Engine, escalation_id: int, kind: str, *, minutes_ago: int = 0) -> None:
    with session_scope(engine) as session:
        queue_notice(
            session=session,
            escalation_id=escalation_id,
            kind=kind,
            key=f"{kind}:{escalation_id}",
            channel="C0Q0",
            thread_ts="0.0",
            text=f"{kind} text",
            now=NOW - timedelta(minutes=minutes_ago),
        )


def _take(engine: Engine, *, at: timedelta = timedelta(0), **which: object) -> list[str]:
    with session_scope(engine) as session:
        taken = take_notices(session=session, now=NOW + at, lease=LEASE, **which)  # type: ignore[arg-type]
    return [notice.key for notice in taken]


def _rows(engine: Engine) -> list[ThreadNotice]:
    with Session(engine) as session:
        return list(session.exec(select(ThreadNotice).order_by(ThreadNotice.id)))  # type: ignore[arg-type]


def test_a_notice_is_stored_once_per_key(engine: Engine) -> None:
    [escalation] = _waiting(engine, [("pro", 3)])
    _queue(engine, escalation, "closing")
    _queue(engine, escalation, "closing")
    [row] = _rows(engine)
    assert (row.status, row.held_at, row.attempts, row.text) == ("pending", None, 0, "closing text")


def test_later_notices_wait_behind_one_another_poster_holds(engine: Engine) -> None:
    first, other = _waiting(engine, [("pro", 3), ("pro", 2)])
    _queue(engine, first, "joined")
    assert _take(engine, escalation_id=first) == [f"joined:{first}"]
    # Resolved while "joined" is still being posted: the closing message and survey wait.
    _queue(engine, first, "closing")
    _queue(engine, first, "survey")
    _queue(engine, other, "joined")
    assert _take(engine, escalation_id=first) == []
    assert _take(engine, waited=timedelta(0), at=timedelta(seconds=1)) == [f"joined:{other}"]
    # The poster of "joined" dies: once its lease runs out, all three go, in order.
    later = LEASE + timedelta(seconds=1)
    assert _take(engine, escalation_id=first, at=later) == [
        f"joined:{first}",
        f"closing:{first}",
        f"survey:{first}",
    ]


def test_a_sent_notice_is_never_taken_again(engine: Engine) -> None:
    [escalation] = _waiting(engine, [("pro", 3)])
    _queue(engine, escalation, "joined")
    _queue(engine, escalation, "closing")
    assert _take(engine, escalation_id=escalation) == [
        f"joined:{escalation}",
        f"closing:{escalation}",
    ]
    joined, closing = _rows(engine)
    assert joined.id is not None and closing.id is not None
    with session_scope(engine) as session:
        finish_notice(session=session, notice_id=joined.id, ts="5.5", now=NOW)
        free_notices(session=session, notice_ids=[closing.id])
    assert _take(engine, escalation_id=escalation) == [f"closing:{escalation}"]
    assert _take(engine, escalation_id=escalation, at=LEASE * 2) == [f"closing:{escalation}"]
    joined = _rows(engine)[0]
    assert (joined.status, joined.ts, joined.held_at) == ("sent", "5.5", None)


def test_the_worker_takes_only_notices_left_waiting(engine: Engine) -> None:
    [escalation] = _waiting(engine, [("pro", 3)])
    _queue(engine, escalation, "joined", minutes_ago=5)
    _queue(engine, escalation, "closing")
    waited = timedelta(minutes=1)
    assert _take(engine, waited=waited) == [f"joined:{escalation}"]
    assert _take(engine, waited=waited, at=waited * 2) == []  # behind the held "joined"


def test_a_refused_notice_is_retried_then_given_up(engine: Engine) -> None:
    [escalation] = _waiting(engine, [("pro", 3)])
    _queue(engine, escalation, "joined")
    [row] = _rows(engine)
    assert row.id is not None
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert _take(engine, escalation_id=escalation) == [f"joined:{escalation}"]
        with session_scope(engine) as session:
            release_notice(session=session, notice_id=row.id, error="is_archived " * 30)
        [row] = _rows(engine)
        assert row.attempts == attempt and row.held_at is None
        assert row.status == ("failed" if attempt == MAX_ATTEMPTS else "pending")
    assert row.error is not None and len(row.error) == 200
    assert _take(engine, escalation_id=escalation) == []
