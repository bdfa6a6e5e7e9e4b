"""reminders and digest slots record who is sending them, so a restarted worker settles a send
its killed predecessor left half-done

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
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
    with op.batch_alter_table("scheduled_runs") as batch:
        batch.add_column(sa.Column("holder", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scheduled_runs") as batch:
        batch.drop_column("holder")
    op.drop_index("ix_reminder_sends_status", table_name="reminder_sends")
    op.drop_table("reminder_sends")
