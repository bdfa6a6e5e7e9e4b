"""Revision 0020: the stored surge notices become outbox rows (pending stays pending, one being
posted is pending with its attempts, sent is delivered with its ts, failed is dead) keyed once
per surge and channel, and go back to their table on a downgrade."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from app.db.schema import current_revision, downgrade, head_revision, upgrade
from app.surge.notices import KIND, notice_key
from tests.conftest import engine_at
from tests.db.test_follow_up_emails_migration import WHEN, _utc, outbox_events

CREATED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

surges = sa.table(
    "surges",
    *(sa.column(name) for name in ("id", "team_id", "playbook", "source")),
    sa.column("started_at", WHEN),
)
surge_notices = sa.table(
    "surge_notices",
    *(sa.column(name) for name in ("id", "surge_id", "channel_id", "requested_by", "status")),
    *(sa.column(name) for name in ("attempts", "error", "ts")),
    sa.column("claimed_at", WHEN),
    sa.column("created_at", WHEN),
    sa.column("sent_at", WHEN),
)


@pytest.fixture
def old_engine(empty_database_url: str) -> Iterator[Engine]:
    """A database at revision 0019, when surge notices had their own table."""
    with engine_at(empty_database_url, "0019") as engine:
        yield engine


def _notice(surge_id: int, channel: str, status: str, **values: Any) -> dict[str, Any]:
    return {
        "surge_id": surge_id,
        "channel_id": channel,
        "requested_by": "U0LEAD1",
        "status": status,
        "attempts": 0,
        "error": None,
        "ts": None,
        "claimed_at": None,
        "created_at": CREATED,
        "sent_at": None,
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


def test_stored_surge_notices_become_outbox_rows_and_go_back(old_engine: Engine) -> None:
    claimed_at = CREATED + timedelta(minutes=2)
    sent_at = CREATED + timedelta(minutes=1)
    with old_engine.begin() as connection:
        surge = {"id": 7, "team_id": "T0ALPHA", "playbook": "outage", "source": "manual"}
        connection.execute(sa.insert(surges), [{**surge, "started_at": CREATED}])
        connection.execute(
            sa.insert(surge_notices),
            [
                _notice(7, "C0ACME", "sent", attempts=1, ts="1700000000.000100", sent_at=sent_at),
                _notice(7, "C0GLOBEX", "pending", attempts=1, error="ratelimited"),
                _notice(7, "C0INITECH", "posting", attempts=2, claimed_at=claimed_at),
                _notice(7, "C0UMBRELLA", "failed", attempts=1, error="not_in_channel"),
            ],
        )

    upgrade(old_engine)

    assert current_revision(old_engine) == head_revision()
    assert "surge_notices" not in sa.inspect(old_engine).get_table_names()
    rows = _outbox(old_engine)
    assert list(rows) == [
        notice_key(7, channel) for channel in ("C0ACME", "C0GLOBEX", "C0INITECH", "C0UMBRELLA")
    ]
    sent, pending, posting, failed = rows.values()
    assert json.loads(sent["payload"]) == {
        "team_id": "T0ALPHA",
        "surge_id": 7,
        "channel": "C0ACME",
        "requested_by": "U0LEAD1",
        "requested_at": CREATED.isoformat(),
    }
    assert (sent["status"], sent["attempts"], sent["external_id"]) == (
        "delivered",
        1,
        "1700000000.000100",
    )
    assert _utc(sent["delivered_at"]) == sent_at
    assert (pending["status"], pending["attempts"], pending["last_error"]) == (
        "pending",
        1,
        "ratelimited",
    )
    assert pending["external_id"] is None and pending["delivered_at"] is None
    # its poster may have died mid-post: a later attempt, which reads the channel first
    assert (posting["status"], posting["attempts"]) == ("pending", 2)
    assert _utc(posting["next_attempt_at"]) == claimed_at
    assert (failed["status"], failed["last_error"]) == ("dead", "not_in_channel")
    assert all(_utc(row["created_at"]) == CREATED for row in rows.values())

    # A downgrade moves them back to their table.
    downgrade(old_engine, "0019")
    assert _outbox(old_engine) == {}
    with old_engine.connect() as connection:
        back = connection.execute(
            sa.text(
                "SELECT surge_id, channel_id, requested_by, status, attempts, error, ts"
                " FROM surge_notices ORDER BY id"
            )
        ).all()
    assert [tuple(row) for row in back] == [
        (7, "C0ACME", "U0LEAD1", "sent", 1, None, "1700000000.000100"),
        (7, "C0GLOBEX", "U0LEAD1", "pending", 1, "ratelimited", None),
        (7, "C0INITECH", "U0LEAD1", "pending", 2, None, None),
        (7, "C0UMBRELLA", "U0LEAD1", "failed", 1, "not_in_channel", None),
    ]
