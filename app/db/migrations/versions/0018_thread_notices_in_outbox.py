"""thread notices are outbox rows: a sequence per thread keeps its messages in order; the
notices stored so far move into the outbox (pending ones are delivered after the upgrade)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND = "slack.thread_notice"

outbox = sa.table(
    "outbox_events",
    *(
        sa.column(name)
        for name in (
            "id",
            "kind",
            "idempotency_key",
            "payload",
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "after_key",
            "sequence",
            "external_id",
            "external_url",
            "created_at",
            "delivered_at",
        )
    ),
)
notices = sa.table(
    "thread_notices",
    *(
        sa.column(name)
        for name in (
            "id",
            "escalation_id",
            "kind",
            "key",
            "channel",
            "thread_ts",
            "text",
            "rating_id",
            "status",
            "held_at",
            "attempts",
            "error",
            "ts",
            "created_at",
            "sent_at",
        )
    ),
)
escalations = sa.table("escalations", sa.column("id"), sa.column("team_id"))


def _notices_table() -> None:
    op.create_table(
        "thread_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("rating_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalations.id"]),
        sa.ForeignKeyConstraint(["rating_id"], ["csat_ratings.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", name="uq_thread_notices_key"),
    )
    op.create_index("ix_thread_notices_escalation_id", "thread_notices", ["escalation_id"])
    op.create_index("ix_thread_notices_status_created", "thread_notices", ["status", "created_at"])


def _outbox_row(notice: Any, team_id: str | None, now: datetime) -> dict[str, Any]:
    payload = {
        "team_id": team_id,
        "escalation_id": notice.escalation_id,
        "notice": notice.kind,
        "channel": notice.channel,
        "thread_ts": notice.thread_ts,
        "text": notice.text,
        "rating_id": notice.rating_id,
    }
    status = {"sent": "delivered", "failed": "dead"}.get(notice.status, "pending")
    # A notice someone held may have been posted before its holder died: counting that hold
    # as an attempt makes the next one look in the thread first.
    attempts = notice.attempts + (1 if notice.held_at is not None and status == "pending" else 0)
    return {
        "kind": KIND,
        "idempotency_key": notice.key,
        "payload": json.dumps(payload, sort_keys=True),
        "status": status,
        "attempts": attempts,
        "next_attempt_at": now,
        "last_error": notice.error,
        "after_key": None,
        "sequence": f"thread:{notice.channel}:{notice.thread_ts}",
        "external_id": notice.ts,
        "external_url": None,
        "created_at": notice.created_at,
        "delivered_at": notice.sent_at,
    }


def upgrade() -> None:
    with op.batch_alter_table("outbox_events") as batch:
        batch.add_column(sa.Column("sequence", sa.String(length=200), nullable=True))
    op.create_index("ix_outbox_events_sequence_status", "outbox_events", ["sequence", "status"])
    connection = op.get_bind()
    now = datetime.now(UTC)
    rows = connection.execute(
        sa.select(notices, escalations.c.team_id)
        .select_from(notices.outerjoin(escalations, escalations.c.id == notices.c.escalation_id))
        .order_by(notices.c.id)
    ).all()
    if rows:
        connection.execute(outbox.insert(), [_outbox_row(row, row.team_id, now) for row in rows])
    op.drop_index("ix_thread_notices_status_created", table_name="thread_notices")
    op.drop_index("ix_thread_notices_escalation_id", table_name="thread_notices")
    op.drop_table("thread_notices")


def downgrade() -> None:
    _notices_table()
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(outbox).where(outbox.c.kind == KIND).order_by(outbox.c.id)
    ).all()
    status = {"delivered": "sent", "dead": "failed"}
    moved = []
    for row in rows:
        payload = json.loads(row.payload)
        moved.append(
            {
                "escalation_id": payload["escalation_id"],
                "kind": payload["notice"],
                "key": row.idempotency_key,
                "channel": payload["channel"],
                "thread_ts": payload["thread_ts"],
                "text": payload.get("text"),
                "rating_id": payload.get("rating_id"),
                "status": status.get(row.status, "pending"),
                "held_at": None,
                "attempts": row.attempts,
                "error": (row.last_error or None) and row.last_error[:200],
                "ts": row.external_id,
                "created_at": row.created_at,
                "sent_at": row.delivered_at,
            }
        )
    if moved:
        connection.execute(notices.insert(), moved)
    connection.execute(outbox.delete().where(outbox.c.kind == KIND))
    op.drop_index("ix_outbox_events_sequence_status", table_name="outbox_events")
    with op.batch_alter_table("outbox_events") as batch:
        batch.drop_column("sequence")
