"""Upgrading moves the stored thread notices into the outbox: nothing in flight is lost, what
was sent stays recorded (so it is never queued again), and a notice whose poster may have died
mid-post is looked for in the thread before it is posted again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.db.outbox_table import OutboxEvent
from app.db.schema import downgrade, upgrade
from app.escalations.thread_notices import KIND, thread_sequence
from tests.bugs.test_service import escalation_row
from tests.conftest import engine_at

THEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def at_0017(empty_database_url: str) -> Iterator[Engine]:
    with engine_at(empty_database_url, "0017") as engine:
        yield engine


def _notice(engine: Engine, escalation_id: int, **values: object) -> None:
    row = {
        "escalation_id": escalation_id,
        "kind": "joined",
        "channel": "C0ACME",
        "thread_ts": "1.0",
        "text": "Sam joined",
        "rating_id": None,
        "status": "pending",
        "held_at": None,
        "attempts": 0,
        "error": None,
        "ts": None,
        "created_at": THEN,
        "sent_at": None,
        **values,
    }
    columns = ", ".join(row)
    with engine.begin() as connection:
        connection.execute(
            text(f"INSERT INTO thread_notices ({columns}) VALUES (:{', :'.join(row)})"),  # noqa: S608
            row,
        )


def test_thread_notices_move_into_the_outbox(at_0017: Engine) -> None:
    escalation_id = escalation_row(at_0017, "acme", "Refund please", team_id="T0ACME")
    _notice(at_0017, escalation_id, key="joined:1:1", status="sent", ts="5.0", sent_at=THEN)
    _notice(at_0017, escalation_id, key="closing:1", kind="closing", text="Bye")
    _notice(at_0017, escalation_id, key="survey:9", kind="survey", text=None, held_at=THEN)
    _notice(at_0017, escalation_id, key="closing:2", status="failed", attempts=5, error="x")

    upgrade(at_0017)

    with Session(at_0017) as session:
        rows = session.exec(select(OutboxEvent).order_by(OutboxEvent.id)).all()  # type: ignore[arg-type]
    assert [(r.idempotency_key, r.status, r.attempts) for r in rows] == [
        ("joined:1:1", "delivered", 0),
        ("closing:1", "pending", 0),
        ("survey:9", "pending", 1),  # held when the upgrade came: the thread is read first
        ("closing:2", "dead", 5),
    ]
    assert all(r.kind == KIND and r.sequence == thread_sequence("C0ACME", "1.0") for r in rows)
    assert rows[0].external_id == "5.0" and rows[3].last_error == "x"
    payload = json.loads(rows[1].payload)
    assert payload["team_id"] == "T0ACME" and payload["text"] == "Bye"
    assert payload["notice"] == "closing" and payload["escalation_id"] == escalation_id


def test_the_upgrade_drops_the_table_and_the_downgrade_brings_the_rows_back(
    at_0017: Engine,
) -> None:
    escalation_id = escalation_row(at_0017, "acme", "Refund please")
    _notice(at_0017, escalation_id, key="closing:1", kind="closing", text="Bye")
    upgrade(at_0017)
    with at_0017.connect() as connection:
        assert "thread_notices" not in at_0017.dialect.get_table_names(connection)
    downgrade(at_0017, "0017")
    with at_0017.connect() as connection:
        back = connection.execute(text("SELECT key, kind, status, text FROM thread_notices"))
        assert [tuple(row) for row in back] == [("closing:1", "closing", "pending", "Bye")]
        left = connection.execute(text("SELECT count(*) FROM outbox_events")).scalar()
    assert left == 0
