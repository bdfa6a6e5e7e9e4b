"""surge notices are outbox rows: the surge_notices table moves into outbox_events

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND = "slack.surge_notice"  # app.surge.notices.KIND, at this revision

surge_notices = sa.table(
    "surge_notices",
    sa.column("id", sa.Integer()),
    sa.column("surge_id", sa.Integer()),
    sa.column("channel_id", sa.String()),
    sa.column("requested_by", sa.String()),
    sa.column("status", sa.String()),
    sa.column("attempts", sa.Integer()),
    sa.column("error", sa.String()),
    sa.column("ts", sa.String()),
    sa.column("claimed_at", sa.DateTime(timezone=True)),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("sent_at", sa.DateTime(timezone=True)),
)

surges = sa.table("surges", sa.column("id", sa.Integer()), sa.column("team_id", sa.String()))

outbox_events = sa.table(
    "outbox_events",
    sa.column("id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("idempotency_key", sa.String()),
    sa.column("payload", sa.Text()),
    sa.column("status", sa.String()),
    sa.column("attempts", sa.Integer()),
    sa.column("next_attempt_at", sa.DateTime(timezone=True)),
    sa.column("last_error", sa.String()),
    sa.column("after_key", sa.String()),
    sa.column("sequence", sa.String()),
    sa.column("external_id", sa.String()),
    sa.column("external_url", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("delivered_at", sa.DateTime(timezone=True)),
)

# surge_notices.status -> outbox_events.status, and back; a notice being posted ("posting")
# is pending again, its attempts kept, so its next attempt looks in the channel first
TO_OUTBOX = {"pending": "pending", "posting": "pending", "sent": "delivered", "failed": "dead"}
FROM_OUTBOX = {"pending": "pending", "delivering": "pending", "delivered": "sent", "dead": "failed"}


def _key(surge_id: int, channel: str) -> str:
    return f"surge-notice:{surge_id}:{channel}"


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(surge_notices, surges.c.team_id)
        .join(surges, surges.c.id == surge_notices.c.surge_id)
        .order_by(surge_notices.c.id)
    )
    moved = []
    for row in rows.mappings():
        status = TO_OUTBOX.get(row["status"], "pending")
        payload = {
            "team_id": row["team_id"],
            "surge_id": row["surge_id"],
            "channel": row["channel_id"],
            "requested_by": row["requested_by"],
            "requested_at": _utc(row["created_at"]).isoformat(),
        }
        moved.append(
            {
                "kind": KIND,
                "idempotency_key": _key(row["surge_id"], row["channel_id"]),
                "payload": json.dumps(payload, sort_keys=True),
                "status": status,
                "attempts": row["attempts"],
                "next_attempt_at": row["claimed_at"] or row["created_at"],
                "last_error": row["error"],
                "after_key": None,
                "sequence": None,
                "external_id": row["ts"] if status == "delivered" else None,
                "external_url": None,
                "created_at": row["created_at"],
                "delivered_at": (row["sent_at"] or row["created_at"])
                if status == "delivered"
                else None,
            }
        )
    if moved:
        connection.execute(sa.insert(outbox_events), moved)
    op.drop_index("ix_surge_notices_status", table_name="surge_notices")
    op.drop_index("ix_surge_notices_surge_id", table_name="surge_notices")
    op.drop_table("surge_notices")


def downgrade() -> None:
    op.create_table(
        "surge_notices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("surge_id", sa.Integer(), sa.ForeignKey("surges.id"), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("surge_id", "channel_id", name="uq_surge_notice_channel"),
    )
    op.create_index("ix_surge_notices_surge_id", "surge_notices", ["surge_id"])
    op.create_index("ix_surge_notices_status", "surge_notices", ["status"])
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(outbox_events).where(outbox_events.c.kind == KIND).order_by(outbox_events.c.id)
    )
    moved = []
    for row in rows.mappings():
        payload = json.loads(row["payload"])
        status = FROM_OUTBOX.get(row["status"], "pending")
        error = row["last_error"]
        moved.append(
            {
                "surge_id": int(payload["surge_id"]),
                "channel_id": str(payload["channel"])[:32],
                "requested_by": str(payload["requested_by"])[:32],
                "status": status,
                "attempts": row["attempts"],
                "error": error[:200] if error else None,
                "ts": row["external_id"] if status == "sent" else None,
                "claimed_at": None,
                "created_at": row["created_at"],
                "sent_at": row["delivered_at"],
            }
        )
    if moved:
        connection.execute(sa.insert(surge_notices), moved)
    connection.execute(sa.delete(outbox_events).where(outbox_events.c.kind == KIND))
