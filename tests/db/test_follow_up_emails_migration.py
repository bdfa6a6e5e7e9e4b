"""Revision 0019: the stored follow-up emails become outbox rows (pending stays pending, sent is
delivered, failed is dead) and go back to their table on a downgrade."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from app.db.schema import MIGRATIONS, current_revision, head_revision, upgrade
from app.escalations.email_follow_up import EMAIL_KIND, email_key
from tests.bugs.test_service import escalation_row
from tests.conftest import engine_at

CREATED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
WHEN = sa.DateTime(timezone=True)

follow_up_emails = sa.table(
    "follow_up_emails",
    *(sa.column(name) for name in ("id", "escalation_id", "kind", "to_address", "subject")),
    *(sa.column(name) for name in ("body", "status", "attempts", "error")),
    sa.column("next_attempt_at", WHEN),
    sa.column("created_at", WHEN),
    sa.column("sent_at", WHEN),
)
outbox_events = sa.table(
    "outbox_events",
    *(sa.column(name) for name in ("id", "kind", "idempotency_key", "payload", "status")),
    *(sa.column(name) for name in ("attempts", "last_error", "external_id")),
    sa.column("next_attempt_at", WHEN),
    sa.column("created_at", WHEN),
    sa.column("delivered_at", WHEN),
)


@pytest.fixture
def old_engine(empty_database_url: str) -> Iterator[Engine]:
    """A database at revision 0018, when follow-up emails had their own table."""
    with engine_at(empty_database_url, "0018") as engine:
        yield engine


def _downgrade(engine: Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _email(escalation_id: int, kind: str, status: str, **values: Any) -> dict[str, Any]:
    return {
        "escalation_id": escalation_id,
        "kind": kind,
        "to_address": "maria@globex.example",
        "subject": f"Your support request #{escalation_id}",
        "body": f"{kind} body",
        "status": status,
        "attempts": 0,
        "error": None,
        "next_attempt_at": CREATED,
        "created_at": CREATED,
        "sent_at": None,
        **values,
    }


def _outbox(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(outbox_events)
            .where(outbox_events.c.kind == EMAIL_KIND)
            .order_by(outbox_events.c.id)
        )
        return {row["idempotency_key"]: dict(row) for row in rows.mappings()}


def test_stored_emails_become_outbox_rows(old_engine: Engine) -> None:
    escalation_id = escalation_row(old_engine, "globex", "refund please")
    retry_at = CREATED + timedelta(minutes=5)
    sent_at = CREATED + timedelta(minutes=1)
    emails = [
        _email(escalation_id, "confirmation", "sent", attempts=1, sent_at=sent_at),
        _email(
            escalation_id,
            "reply-7",
            "pending",
            attempts=2,
            error="SMTPDataError 451",
            next_attempt_at=retry_at,
        ),
        _email(escalation_id, "reply-9", "failed", attempts=8, error="SMTPRecipientsRefused 550"),
    ]
    with old_engine.begin() as connection:
        connection.execute(sa.insert(follow_up_emails), emails)

    upgrade(old_engine)

    assert current_revision(old_engine) == head_revision()
    assert "follow_up_emails" not in sa.inspect(old_engine).get_table_names()
    rows = _outbox(old_engine)
    confirmation = rows[email_key(escalation_id, "confirmation")]
    pending = rows[email_key(escalation_id, "reply-7")]
    dead = rows[email_key(escalation_id, "reply-9")]
    assert json.loads(confirmation["payload"]) == {
        "to": "maria@globex.example",
        "subject": f"Your support request #{escalation_id}",
        "body": "confirmation body",
        "escalation_id": escalation_id,
        "kind": "confirmation",
    }
    assert (confirmation["status"], confirmation["attempts"]) == ("delivered", 1)
    assert confirmation["external_id"] == "sent"
    assert _utc(confirmation["delivered_at"]) == sent_at
    assert (pending["status"], pending["attempts"]) == ("pending", 2)
    assert _utc(pending["next_attempt_at"]) == retry_at
    assert pending["last_error"] == "SMTPDataError 451" and pending["delivered_at"] is None
    assert (dead["status"], dead["attempts"]) == ("dead", 8)
    assert dead["last_error"] == "SMTPRecipientsRefused 550"
    assert json.loads(dead["payload"])["kind"] == "reply-9"
    assert all(_utc(row["created_at"]) == CREATED for row in rows.values())

    # A downgrade moves them back to their table.
    _downgrade(old_engine, "0018")
    assert _outbox(old_engine) == {}
    with old_engine.connect() as connection:
        back = connection.execute(
            sa.text("SELECT kind, status, attempts, error FROM follow_up_emails ORDER BY id")
        ).all()
    assert [tuple(row) for row in back] == [
        ("confirmation", "sent", 1, None),
        ("reply-7", "pending", 2, "SMTPDataError 451"),
        ("reply-9", "failed", 8, "SMTPRecipientsRefused 550"),
    ]
