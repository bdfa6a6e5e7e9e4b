"""follow-up emails are outbox rows: the follow_up_emails table moves into outbox_events

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EMAIL_KIND = "email.follow_up"  # app.escalations.email_follow_up.EMAIL_KIND, at this revision
SENT = "sent"  # the external id of a sent email

follow_up_emails = sa.table(
    "follow_up_emails",
    sa.column("id", sa.Integer()),
    sa.column("escalation_id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("to_address", sa.String()),
    sa.column("subject", sa.String()),
    sa.column("body", sa.Text()),
    sa.column("status", sa.String()),
    sa.column("attempts", sa.Integer()),
    sa.column("error", sa.String()),
    sa.column("next_attempt_at", sa.DateTime(timezone=True)),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("sent_at", sa.DateTime(timezone=True)),
)

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

# follow_up_emails.status -> outbox_events.status, and back
TO_OUTBOX = {"pending": "pending", "sent": "delivered", "failed": "dead"}
FROM_OUTBOX = {"pending": "pending", "delivering": "pending", "delivered": "sent", "dead": "failed"}


def _key(escalation_id: int, kind: str) -> str:
    return f"follow-up-email:{escalation_id}:{kind}"


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(follow_up_emails).order_by(follow_up_emails.c.id))
    moved = []
    for row in rows.mappings():
        status = TO_OUTBOX.get(row["status"], "pending")
        payload = {
            "to": row["to_address"],
            "subject": row["subject"],
            "body": row["body"],
            "escalation_id": row["escalation_id"],
            "kind": row["kind"],
        }
        moved.append(
            {
                "kind": EMAIL_KIND,
                "idempotency_key": _key(row["escalation_id"], row["kind"]),
                "payload": json.dumps(payload, sort_keys=True),
                "status": status,
                "attempts": row["attempts"],
                "next_attempt_at": row["next_attempt_at"],
                "last_error": row["error"],
                "after_key": None,
                "sequence": None,
                "external_id": SENT if status == "delivered" else None,
                "external_url": None,
                "created_at": row["created_at"],
                "delivered_at": (row["sent_at"] or row["next_attempt_at"])
                if status == "delivered"
                else None,
            }
        )
    if moved:
        connection.execute(sa.insert(outbox_events), moved)
    op.drop_index("ix_follow_up_emails_status", table_name="follow_up_emails")
    op.drop_index("ix_follow_up_emails_escalation_id", table_name="follow_up_emails")
    op.drop_table("follow_up_emails")


def downgrade() -> None:
    op.create_table(
        "follow_up_emails",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("escalation_id", sa.Integer(), sa.ForeignKey("escalations.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("escalation_id", "kind", name="uq_follow_up_email_kind"),
    )
    op.create_index("ix_follow_up_emails_escalation_id", "follow_up_emails", ["escalation_id"])
    op.create_index("ix_follow_up_emails_status", "follow_up_emails", ["status"])
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(outbox_events)
        .where(outbox_events.c.kind == EMAIL_KIND)
        .order_by(outbox_events.c.id)
    )
    moved = []
    for row in rows.mappings():
        payload = json.loads(row["payload"])
        error = row["last_error"]
        moved.append(
            {
                "escalation_id": int(payload["escalation_id"]),
                "kind": str(payload["kind"])[:16],
                "to_address": str(payload["to"])[:320],
                "subject": str(payload["subject"])[:200],
                "body": str(payload["body"]),
                "status": FROM_OUTBOX.get(row["status"], "pending"),
                "attempts": row["attempts"],
                "error": error[:200] if error else None,
                "next_attempt_at": row["next_attempt_at"],
                "created_at": row["created_at"],
                "sent_at": row["delivered_at"],
            }
        )
    if moved:
        connection.execute(sa.insert(follow_up_emails), moved)
    connection.execute(sa.delete(outbox_events).where(outbox_events.c.kind == EMAIL_KIND))
