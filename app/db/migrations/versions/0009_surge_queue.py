"""surge calendar, proactive notices, live wait lines, email follow-ups, card posting lease

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("surges") as batch:
        batch.add_column(sa.Column("calendar_key", sa.String(length=120), nullable=True))
        batch.add_column(
            sa.Column("notices_reported_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.create_unique_constraint("uq_surges_calendar_key", ["calendar_key"])
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("follow_up_by", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("wait_shown", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("card_claimed_at", sa.DateTime(timezone=True), nullable=True))
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


def downgrade() -> None:
    op.drop_table("follow_up_emails")
    op.drop_table("surge_notices")
    with op.batch_alter_table("escalations") as batch:
        batch.drop_column("wait_shown")
        batch.drop_column("card_claimed_at")
        batch.drop_column("follow_up_by")
    with op.batch_alter_table("surges") as batch:
        batch.drop_constraint("uq_surges_calendar_key", type_="unique")
        batch.drop_column("notices_reported_at")
        batch.drop_column("calendar_key")
