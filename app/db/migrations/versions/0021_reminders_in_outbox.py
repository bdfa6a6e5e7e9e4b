"""reminders about unclaimed escalations are outbox rows: the reminder_sends table moves into
outbox_events

A reminder keeps its key (the one its message carries in Slack). One still ``sending`` (its
worker may or may not have posted it) becomes a row claimed once before, due when its holder's
lease ends: the outbox sweep takes it as a later attempt and looks for the key in the channel
before posting. A sent one is delivered with its message's ts; a dropped one is delivered as
``dropped``.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND = "slack.reminder"  # app.escalations.reminders.KIND, at this revision
DROPPED = "dropped"  # the external id of a reminder settled without a post
HOLDER_LEASE = timedelta(minutes=1)  # how long a reminder_sends holder had to finish
DOWNGRADED = "outbox"  # the holder of a reminder moved back while not yet delivered

reminder_sends = sa.table(
    "reminder_sends",
    sa.column("escalation_id", sa.Integer()),
    sa.column("step", sa.String()),
    sa.column("key", sa.String()),
    sa.column("status", sa.String()),
    sa.column("holder", sa.String()),
    sa.column("taken_at", sa.DateTime(timezone=True)),
    sa.column("held_at", sa.DateTime(timezone=True)),
    sa.column("sent_at", sa.DateTime(timezone=True)),
    sa.column("ts", sa.String()),
)

escalations = sa.table(
    "escalations", sa.column("id", sa.Integer()), sa.column("team_id", sa.String())
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


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _outbox_row(send: sa.RowMapping) -> dict[str, object]:
    taken_at = _utc(send["taken_at"])
    payload = {
        "team_id": send["team_id"],
        "escalation_id": send["escalation_id"],
        "step": send["step"],
        "taken_at": taken_at.isoformat(),
    }
    row: dict[str, object] = {
        "kind": KIND,
        "idempotency_key": send["key"],
        "payload": json.dumps(payload, sort_keys=True),
        "attempts": 1,
        "last_error": None,
        "after_key": None,
        "sequence": None,
        "external_url": None,
        "created_at": taken_at,
    }
    if send["status"] == "sending":  # posted or not: looked for before it is posted again
        held_until = _utc(send["held_at"]) + HOLDER_LEASE
        return {
            **row,
            "status": "delivering",
            "next_attempt_at": held_until,
            "external_id": None,
            "delivered_at": None,
        }
    done_at = _utc(send["sent_at"] or send["held_at"])
    sent = send["status"] == "sent" and send["ts"]
    return {
        **row,
        "status": "delivered",
        "next_attempt_at": done_at,
        "external_id": send["ts"] if sent else DROPPED,
        "delivered_at": done_at,
    }


def upgrade() -> None:
    connection = op.get_bind()
    sends = connection.execute(
        sa.select(reminder_sends, escalations.c.team_id)
        .join(escalations, escalations.c.id == reminder_sends.c.escalation_id)
        .order_by(reminder_sends.c.taken_at, reminder_sends.c.escalation_id)
    )
    moved = [_outbox_row(send) for send in sends.mappings()]
    if moved:
        connection.execute(sa.insert(outbox_events), moved)
    op.drop_index("ix_reminder_sends_status", table_name="reminder_sends")
    op.drop_table("reminder_sends")


def _send_row(event: sa.RowMapping) -> dict[str, object]:
    payload = json.loads(event["payload"])
    taken_at = datetime.fromisoformat(str(payload["taken_at"]))
    row: dict[str, object] = {
        "escalation_id": int(payload["escalation_id"]),
        "step": str(payload["step"])[:16],
        "key": str(event["idempotency_key"])[:120],
    }
    if event["status"] != "delivered":  # not yet in Slack, or maybe: settled by the next sweep
        return {
            **row,
            "status": "sending",
            "holder": DOWNGRADED,
            "taken_at": taken_at,
            "held_at": _utc(event["created_at"]),
            "sent_at": None,
            "ts": None,
        }
    dropped = event["external_id"] in (None, DROPPED)
    return {
        **row,
        "status": "dropped" if dropped else "sent",
        "holder": DOWNGRADED,
        "taken_at": taken_at,
        "held_at": _utc(event["delivered_at"] or event["created_at"]),
        "sent_at": event["delivered_at"],
        "ts": None if dropped else str(event["external_id"])[:32],
    }


def downgrade() -> None:
    op.create_table(
        "reminder_sends",
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("holder", sa.String(length=80), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalations.id"]),
        sa.PrimaryKeyConstraint("escalation_id", "step"),
    )
    op.create_index("ix_reminder_sends_status", "reminder_sends", ["status"])
    connection = op.get_bind()
    events = connection.execute(
        sa.select(outbox_events).where(outbox_events.c.kind == KIND).order_by(outbox_events.c.id)
    )
    # the table holds one round per escalation and step: the latest
    latest: dict[tuple[object, object], dict[str, object]] = {}
    for event in events.mappings():
        send = _send_row(event)
        latest[(send["escalation_id"], send["step"])] = send
    if latest:
        connection.execute(sa.insert(reminder_sends), list(latest.values()))
    connection.execute(sa.delete(outbox_events).where(outbox_events.c.kind == KIND))
