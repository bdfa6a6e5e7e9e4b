from __future__ import annotations

import itertools
import json
import random
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.db.engine import session_scope
from app.db.models import Account
from app.db.outbox_table import OutboxEvent
from app.delivery.outbox import LEASE, Only, deliver_due, enqueue, retry
from app.delivery.outcomes import (
    MAX_ATTEMPTS,
    Delivered,
    PermanentError,
    RetryableError,
    backoff_seconds,
    retry_after_seconds,
)
from app.integrations.commands import list_outbox, retry_outbox

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


class Recorder:
    """A sender that records each call and answers with the next scripted outcome."""

    def __init__(self, *outcomes: Exception | None, pause: float = 0.0) -> None:
        self.calls: list[tuple[dict[str, Any], str]] = []
        self.outcomes = list(outcomes)
        self.pause = pause
        self._lock = threading.Lock()

    def __call__(self, payload: dict[str, Any], key: str) -> Delivered:
        with self._lock:
            self.calls.append((payload, key))
            number = len(self.calls)
            outcome = self.outcomes.pop(0) if self.outcomes else None
        if self.pause:
            time.sleep(self.pause)
        if outcome is not None:
            raise outcome
        return Delivered(external_id=f"issue-{number}", external_url=f"https://x/{number}")


def _enqueue(engine: Engine, key: str = "bug:1", **payload: Any) -> int:
    with session_scope(engine) as session:
        event = enqueue(
            session=session, kind="test", idempotency_key=key, payload=payload or {"n": 1}, now=NOW
        )
        assert event.id is not None
        return event.id


def _get(engine: Engine, outbox_id: int) -> OutboxEvent:
    with Session(engine) as session:
        event = session.get(OutboxEvent, outbox_id)
        assert event is not None
        return event


def _deliver(engine: Engine, sender: Recorder, now: datetime = NOW) -> Any:
    return deliver_due(engine=engine, senders={"test": sender}, now=now, rng=random.Random(7))


def test_model_matches_the_migrated_table(engine: Engine) -> None:
    metadata = MetaData()
    OutboxEvent.__table__.to_metadata(metadata)  # type: ignore[attr-defined]
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, kind, _parent: (
                    kind != "table" or name == "outbox_events"
                ),
            },
        )
        assert compare_metadata(context, metadata) == []


def test_enqueue_is_part_of_the_callers_transaction(engine: Engine) -> None:
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        session.add(Account(name="Acme", channel_id="C1", tier="gold"))
        enqueue(session=session, kind="test", idempotency_key="k", payload={"a": 1}, now=NOW)
        raise RuntimeError("the change failed")
    with Session(engine) as session:
        assert session.exec(select(OutboxEvent)).all() == []
        assert session.exec(select(Account)).all() == []

    with session_scope(engine) as session:
        session.add(Account(name="Acme", channel_id="C1", tier="gold"))
        enqueue(session=session, kind="test", idempotency_key="k", payload={"a": 1}, now=NOW)
    with Session(engine) as session:
        [event] = session.exec(select(OutboxEvent)).all()
        assert (event.status, json.loads(event.payload)) == ("pending", {"a": 1})


def test_a_duplicate_key_returns_the_stored_row(engine: Engine) -> None:
    first = _enqueue(engine, "same", n=1)
    second = _enqueue(engine, "same", n=2)
    assert first == second
    assert json.loads(_get(engine, first).payload) == {"n": 1}


def test_delivers_and_records_the_external_issue(engine: Engine) -> None:
    outbox_id = _enqueue(engine, "bug:42", title="Crash")
    sender = Recorder()
    report = _deliver(engine, sender)
    assert report.delivered == [outbox_id]
    assert sender.calls == [({"title": "Crash"}, "bug:42")]
    event = _get(engine, outbox_id)
    assert (event.status, event.external_id, event.external_url) == (
        "delivered",
        "issue-1",
        "https://x/1",
    )
    assert event.delivered_at is not None
    assert _deliver(engine, sender).attempted == 0
    assert len(sender.calls) == 1


def test_concurrent_runs_deliver_each_row_once(engine: Engine) -> None:
    ids = [_enqueue(engine, f"bug:{n}") for n in range(6)]
    sender = Recorder(pause=0.02)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            _deliver(engine, sender)
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(key for _payload, key in sender.calls) == sorted(f"bug:{n}" for n in range(6))
    assert {_get(engine, i).status for i in ids} == {"delivered"}


def test_retryable_errors_back_off(engine: Engine) -> None:
    outbox_id = _enqueue(engine)
    sender = Recorder(RetryableError("HTTP 503"), RetryableError("timed out"))
    assert _deliver(engine, sender).retried == [outbox_id]
    first = _get(engine, outbox_id)
    assert (first.status, first.attempts, first.last_error) == (
        "pending",
        1,
        "RetryableError: HTTP 503",
    )
    first_wait = first.next_attempt_at.replace(tzinfo=UTC) - NOW
    assert first_wait > timedelta(0)
    assert _deliver(engine, sender).attempted == 0  # not due yet

    later = NOW + first_wait
    assert _deliver(engine, sender, later).retried == [outbox_id]
    second = _get(engine, outbox_id)
    assert second.next_attempt_at.replace(tzinfo=UTC) - later > first_wait
    assert _deliver(engine, sender, NOW + timedelta(days=1)).delivered == [outbox_id]
    assert _get(engine, outbox_id).status == "delivered"


def test_backoff_grows_and_honours_retry_after() -> None:
    rng = random.Random(3)
    delays = [backoff_seconds(n, rng=rng) for n in range(1, MAX_ATTEMPTS + 1)]
    assert all(a < b for a, b in itertools.pairwise(delays[:6]))
    assert backoff_seconds(1, rng=random.Random(3), retry_after=900) == 900


def test_gives_up_after_max_attempts(engine: Engine) -> None:
    outbox_id = _enqueue(engine)
    sender = Recorder(*[RetryableError("HTTP 502") for _ in range(MAX_ATTEMPTS)])
    when = NOW
    for _ in range(MAX_ATTEMPTS):
        _deliver(engine, sender, when)
        when += timedelta(days=1)
    event = _get(engine, outbox_id)
    assert (event.status, event.attempts) == ("dead", MAX_ATTEMPTS)
    assert event.last_error is not None and "gave up" in event.last_error


def test_permanent_errors_are_dead_lettered_with_the_reason(engine: Engine) -> None:
    outbox_id = _enqueue(engine)
    sender = Recorder(PermanentError("HTTP 400: team not found"))
    assert _deliver(engine, sender).dead == [outbox_id]
    event = _get(engine, outbox_id)
    assert event.status == "dead"
    assert event.last_error == "PermanentError: HTTP 400: team not found"
    assert _deliver(engine, sender, NOW + timedelta(days=1)).attempted == 0


def _stick_in_delivering(engine: Engine, outbox_id: int, **values: Any) -> None:
    with session_scope(engine) as session:
        event = session.get(OutboxEvent, outbox_id)
        assert event is not None
        event.status, event.attempts, event.next_attempt_at = "delivering", 1, NOW + LEASE
        for name, value in values.items():
            setattr(event, name, value)


def test_a_row_stuck_in_delivering_is_taken_again_after_the_lease(engine: Engine) -> None:
    outbox_id = _enqueue(engine)
    _stick_in_delivering(engine, outbox_id)
    sender = Recorder()
    assert _deliver(engine, sender).attempted == 0  # the claim may still be alive
    assert _deliver(engine, sender, NOW + LEASE).delivered == [outbox_id]
    assert len(sender.calls) == 1


def test_a_recorded_external_id_is_never_sent_again(engine: Engine) -> None:
    outbox_id = _enqueue(engine)
    _stick_in_delivering(engine, outbox_id, external_id="ISSUE-9", external_url="https://x/9")
    sender = Recorder()
    assert _deliver(engine, sender, NOW + LEASE).delivered == [outbox_id]
    assert sender.calls == []
    event = _get(engine, outbox_id)
    assert (event.status, event.external_id) == ("delivered", "ISSUE-9")


def test_retry_puts_a_dead_row_back(engine: Engine) -> None:
    outbox_id = _enqueue(engine)
    _deliver(engine, Recorder(PermanentError("HTTP 422")))
    with session_scope(engine) as session:
        assert retry(session=session, outbox_id=outbox_id, now=NOW)
    with session_scope(engine) as session:
        assert not retry(session=session, outbox_id=outbox_id, now=NOW)  # pending now
    event = _get(engine, outbox_id)
    assert (event.status, event.attempts) == ("pending", 0)
    assert _deliver(engine, Recorder()).delivered == [outbox_id]


def test_unknown_kinds_are_left_alone(engine: Engine) -> None:
    outbox_id = _enqueue(engine)
    report = deliver_due(engine=engine, senders={"other": Recorder()}, now=NOW)
    assert report.attempted == 0
    assert _get(engine, outbox_id).status == "pending"


def test_commands_list_and_retry(engine: Engine) -> None:
    assert list_outbox(engine=engine) == "No outbox events."
    dead = _enqueue(engine, "bug:dead")
    _deliver(engine, Recorder(PermanentError("HTTP 400: bad input")))
    _enqueue(engine, "bug:new")
    table = list_outbox(engine=engine)
    header, rule, *rows = table.splitlines()
    assert header.split()[:3] == ["id", "kind", "status"]
    assert set(rule) <= {"-", " "}
    assert len(rows) == 2
    assert "bad input" in rows[0] and "dead" in rows[0]
    assert len(list_outbox(engine=engine, status="dead").splitlines()) == 3
    assert "Unknown status" in list_outbox(engine=engine, status="lost")
    assert "queued" in retry_outbox(engine=engine, outbox_id=dead)
    assert "not dead" in retry_outbox(engine=engine, outbox_id=dead)
    assert "does not exist" in retry_outbox(engine=engine, outbox_id=999)


def _enqueue_in(engine: Engine, key: str, **options: Any) -> int:
    with session_scope(engine) as session:
        event = enqueue(
            session=session,
            kind="test",
            idempotency_key=key,
            payload={"k": key},
            now=NOW,
            **options,
        )
        assert event.id is not None
        return event.id


def test_rows_of_one_sequence_go_out_in_order_behind_a_failed_one(engine: Engine) -> None:
    first = _enqueue_in(engine, "joined", sequence="thread:C1:1.0")
    second = _enqueue_in(engine, "closing", sequence="thread:C1:1.0")
    other = _enqueue_in(engine, "elsewhere", sequence="thread:C2:1.0")
    sender = Recorder(RetryableError("Slack answered fatal_error"))
    report = _deliver(engine, sender)
    assert (report.retried, report.delivered) == ([first], [other])  # the second waits with it
    assert [key for _payload, key in sender.calls] == ["joined", "elsewhere"]
    later = _deliver(engine, sender, NOW + timedelta(hours=1))
    assert later.delivered == [first, second]  # in order, in one pass
    assert [key for _payload, key in sender.calls][2:] == ["joined", "closing"]


def test_a_dead_row_does_not_hold_up_its_sequence(engine: Engine) -> None:
    first = _enqueue_in(engine, "a", sequence="s")
    second = _enqueue_in(engine, "b", sequence="s")
    report = _deliver(engine, Recorder(PermanentError("Slack answered is_archived")))
    assert (report.dead, report.delivered) == ([first], [second])


def test_the_storing_process_delivers_its_rows_before_they_are_due(engine: Engine) -> None:
    mine = _enqueue_in(engine, "mine", due_at=NOW + timedelta(minutes=1))
    theirs = _enqueue_in(engine, "theirs", due_at=NOW + timedelta(minutes=1))
    sender = Recorder(RetryableError("hiccup"))
    assert _deliver(engine, sender).attempted == 0  # the sweep leaves them their grace
    only = deliver_due(engine=engine, senders={"test": sender}, now=NOW, only=Only(keys=("mine",)))
    assert only.retried == [mine] and _get(engine, theirs).attempts == 0
    # a row already tried waits for its backoff, even for the process that stored it
    again = deliver_due(engine=engine, senders={"test": sender}, now=NOW, only=Only(keys=("mine",)))
    assert again.attempted == 0


class AttemptRecorder:
    """A sender told which attempt each call is."""

    def __init__(self) -> None:
        self.attempts: list[int] = []

    def send_attempt(self, payload: dict[str, Any], key: str, *, attempt: int) -> Delivered:
        self.attempts.append(attempt)
        return Delivered(external_id=f"ts-{attempt}")


def test_a_sender_is_told_it_is_a_later_attempt_after_a_dead_claim(engine: Engine) -> None:
    outbox_id = _enqueue_in(engine, "notice")
    with session_scope(engine) as session:  # a process claimed it, then died
        row = session.get_one(OutboxEvent, outbox_id)
        row.status, row.attempts, row.next_attempt_at = "delivering", 1, NOW
    sender = AttemptRecorder()
    report = deliver_due(engine=engine, senders={"test": sender}, now=NOW + LEASE)
    assert report.delivered == [outbox_id] and sender.attempts == [2]
    fresh = _enqueue_in(engine, "fresh")
    deliver_due(engine=engine, senders={"test": sender}, now=NOW)
    assert _get(engine, fresh).external_id == "ts-1" and sender.attempts == [2, 1]


def test_a_delivery_is_recorded_in_the_transaction_that_marks_it(engine: Engine) -> None:
    delivered = _enqueue_in(engine, "ok")
    failed = _enqueue_in(engine, "fails")
    recorded: list[tuple[dict[str, Any], str, str]] = []

    def record(session: Session, payload: dict[str, Any], result: Delivered) -> None:
        status = session.get_one(OutboxEvent, delivered).status  # sees the row being marked
        recorded.append((payload, result.external_id, status))

    sender = Recorder(None, PermanentError("refused"))
    report = deliver_due(
        engine=engine, senders={"test": sender}, now=NOW, recorders={"test": record}
    )
    assert (report.delivered, report.dead) == ([delivered], [failed])
    assert recorded == [({"k": "ok"}, "issue-1", "delivered")]  # never for the failed one


def test_retry_after_is_read_as_seconds_or_ignored() -> None:
    assert retry_after_seconds("30") == 30.0
    assert retry_after_seconds("1.5") == 1.5
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("Wed, 21 Oct 2026 07:28:00 GMT") is None
