from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from app.db.engine import session_scope
from app.db.events import (
    MAX_ATTEMPTS,
    Stored,
    claim_for_retry,
    fail_event,
    finish_event,
    prune_events,
    store_event,
    unfinished_events,
)
from app.db.models import SlackEvent, utcnow


def _store(engine: Engine, event_id: str = "Ev1") -> Stored:
    with session_scope(engine) as session:
        return store_event(
            session=session, event_id=event_id, team_id="T1", event_type="message", payload="{}"
        )


def test_first_delivery_is_new_and_retries_are_duplicates(engine: Engine) -> None:
    assert _store(engine) is Stored.NEW
    assert _store(engine) is Stored.DUPLICATE
    with session_scope(engine) as session:
        assert len(session.exec(select(SlackEvent)).all()) == 1


def test_concurrent_deliveries_take_the_event_once(engine: Engine) -> None:
    results: list[Stored] = []
    barrier = threading.Barrier(6)

    def deliver() -> None:
        barrier.wait()
        results.append(_store(engine, "EvRace"))

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.value for r in results) == ["duplicate"] * 5 + ["new"]


def test_failed_event_is_taken_again_by_a_retry_until_attempts_run_out(engine: Engine) -> None:
    _store(engine)
    for _ in range(MAX_ATTEMPTS - 1):
        with session_scope(engine) as session:
            fail_event(session=session, event_id="Ev1", error="boom")
        assert _store(engine) is Stored.RETRY
    with session_scope(engine) as session:
        fail_event(session=session, event_id="Ev1", error="boom")
    assert _store(engine) is Stored.DUPLICATE


def test_unfinished_events_and_claims(engine: Engine) -> None:
    _store(engine, "EvStale")
    _store(engine, "EvDone")
    _store(engine, "EvFailed")
    with session_scope(engine) as session:
        finish_event(session=session, event_id="EvDone")
        fail_event(session=session, event_id="EvFailed", error="x" * 900)
    later = utcnow() + timedelta(minutes=10)
    with session_scope(engine) as session:
        rows = unfinished_events(session=session, now=later, stale_after=timedelta(minutes=2))
        found = {row.event_id: (row.status, row.received_at) for row in rows}
        failed = session.get(SlackEvent, "EvFailed")
        assert failed is not None and failed.last_error is not None
        assert len(failed.last_error) == 500
    assert set(found) == {"EvStale", "EvFailed"}
    with session_scope(engine) as session:
        rows = unfinished_events(session=session, now=utcnow(), stale_after=timedelta(minutes=2))
        assert [row.event_id for row in rows] == ["EvFailed"]  # fresh "received" is in flight
    status, received_at = found["EvStale"]
    with session_scope(engine) as session:
        assert claim_for_retry(
            session=session,
            event_id="EvStale",
            expected_status=status,
            expected_received_at=received_at,
        )
    with session_scope(engine) as session:
        assert not claim_for_retry(
            session=session,
            event_id="EvStale",
            expected_status=status,
            expected_received_at=received_at,
        )


def test_prune_keeps_unfinished_events(engine: Engine) -> None:
    _store(engine, "EvA")
    _store(engine, "EvB")
    with session_scope(engine) as session:
        finish_event(session=session, event_id="EvA")
    with session_scope(engine) as session:
        assert prune_events(session=session, older_than=utcnow() + timedelta(seconds=1)) == 1
        assert [row.event_id for row in session.exec(select(SlackEvent))] == ["EvB"]
