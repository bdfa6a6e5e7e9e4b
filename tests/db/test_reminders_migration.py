"""Revision 0021: the stored reminder sends become outbox rows (a send a worker may have died in
the middle of is re-attempted by the outbox sweep as a later attempt, which looks for its key
before posting; sent and dropped ones are delivered) and go back to their table on a downgrade."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from app.db.schema import current_revision, downgrade, head_revision, upgrade
from app.delivery.outbox import deliver_due
from app.delivery.outcomes import Delivered
from app.escalations.reminders import DROPPED, KIND
from tests.bugs.test_service import escalation_row
from tests.conftest import engine_at
from tests.db.test_follow_up_emails_migration import WHEN, _utc, outbox_events

TAKEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

reminder_sends = sa.table(
    "reminder_sends",
    *(sa.column(name) for name in ("escalation_id", "step", "key", "status", "holder", "ts")),
    sa.column("taken_at", WHEN),
    sa.column("held_at", WHEN),
    sa.column("sent_at", WHEN),
)


@pytest.fixture
def old_engine(empty_database_url: str) -> Iterator[Engine]:
    """A database at revision 0019, when reminder sends had their own table."""
    with engine_at(empty_database_url, "0019") as engine:
        yield engine


def _send(escalation_id: int, step: str, status: str, **values: Any) -> dict[str, Any]:
    return {
        "escalation_id": escalation_id,
        "step": step,
        "key": f"escalation-{escalation_id}-{step}-{int(TAKEN.timestamp() * 1000)}",
        "status": status,
        "holder": "worker-1:4242",
        "taken_at": TAKEN,
        "held_at": TAKEN,
        "sent_at": None,
        "ts": None,
        **values,
    }


def _outbox(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(outbox_events)
            .where(outbox_events.c.kind == KIND)
            .order_by(outbox_events.c.id)
        )
        return {row["idempotency_key"]: dict(row) for row in rows.mappings()}


class RecordingSender:
    """Stands in for Slack's side: which attempt each reminder was delivered as."""

    def __init__(self) -> None:
        self.attempts: list[tuple[str, int]] = []

    def send_attempt(self, payload: dict[str, Any], key: str, *, attempt: int) -> Delivered:
        self.attempts.append((key, attempt))
        return Delivered(external_id="1700000000.000900")


def test_stored_reminder_sends_become_outbox_rows_and_go_back(old_engine: Engine) -> None:
    acme = escalation_row(old_engine, "acme", "cancel our contract", team_id="T0ACME")
    globex = escalation_row(old_engine, "globex", "refund please", team_id="T0GLOBEX")
    sent_at = TAKEN + timedelta(seconds=2)
    sends = [
        _send(acme, "overflow", "sent", ts="1700000000.000100", sent_at=sent_at),
        _send(acme, "leads", "sending", held_at=TAKEN + timedelta(minutes=3)),
        _send(globex, "overflow", "dropped", sent_at=sent_at),
    ]
    with old_engine.begin() as connection:
        connection.execute(sa.insert(reminder_sends), sends)

    upgrade(old_engine)

    assert current_revision(old_engine) == head_revision()
    assert "reminder_sends" not in sa.inspect(old_engine).get_table_names()
    rows = _outbox(old_engine)
    sent, sending, dropped = (rows[send["key"]] for send in sends)  # the keys Slack has
    assert json.loads(sending["payload"]) == {
        "team_id": "T0ACME",
        "escalation_id": acme,
        "step": "leads",
        "taken_at": TAKEN.isoformat(),
    }
    assert (sent["status"], sent["attempts"], sent["external_id"]) == (
        "delivered",
        1,
        "1700000000.000100",
    )
    assert _utc(sent["delivered_at"]) == sent_at
    assert (dropped["status"], dropped["external_id"]) == ("delivered", DROPPED)
    assert json.loads(dropped["payload"])["team_id"] == "T0GLOBEX"
    # claimed once already: when its holder's lease ends, the sweep takes it as a later attempt
    assert (sending["status"], sending["attempts"], sending["external_id"]) == (
        "delivering",
        1,
        None,
    )
    lease_end = TAKEN + timedelta(minutes=4)
    assert _utc(sending["next_attempt_at"]) == lease_end
    assert all(_utc(row["created_at"]) == TAKEN for row in rows.values())

    sender = RecordingSender()
    early = deliver_due(
        engine=old_engine, senders={KIND: sender}, now=lease_end - timedelta(seconds=1)
    )
    assert early.attempted == 0 and sender.attempts == []
    report = deliver_due(engine=old_engine, senders={KIND: sender}, now=lease_end)
    assert sender.attempts == [(sends[1]["key"], 2)]  # the channel is read before any post
    assert len(report.delivered) == 1
    assert _outbox(old_engine)[sends[1]["key"]]["external_id"] == "1700000000.000900"

    # A downgrade moves them back to their table.
    downgrade(old_engine, "0019")
    assert _outbox(old_engine) == {}
    with old_engine.connect() as connection:
        back = connection.execute(
            sa.text(
                "SELECT escalation_id, step, key, status, ts FROM reminder_sends"
                " ORDER BY escalation_id, step"
            )
        ).all()
    assert [tuple(row) for row in back] == [
        (acme, "leads", sends[1]["key"], "sent", "1700000000.000900"),
        (acme, "overflow", sends[0]["key"], "sent", "1700000000.000100"),
        (globex, "overflow", sends[2]["key"], "dropped", None),
    ]


def test_a_reminder_not_yet_delivered_goes_back_as_sending(old_engine: Engine) -> None:
    acme = escalation_row(old_engine, "acme", "cancel our contract")
    with old_engine.begin() as connection:
        connection.execute(sa.insert(reminder_sends), [_send(acme, "overflow", "sending")])
    upgrade(old_engine)
    downgrade(old_engine, "0019")
    with old_engine.connect() as connection:
        [back] = connection.execute(sa.select(reminder_sends)).mappings().all()
    assert (back["key"], back["status"], back["ts"]) == (
        _send(acme, "overflow", "")["key"],
        "sending",
        None,
    )
    assert _utc(back["taken_at"]) == TAKEN  # looked for in the channel from when it was taken
