"""escalations and agent shifts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "conversation_id", sa.Integer(), sa.ForeignKey("conversations.id"), nullable=False
        ),
        sa.Column("decision_id", sa.Integer(), sa.ForeignKey("triage_decisions.id"), nullable=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("skill", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("routed_channel", sa.String(length=32), nullable=False),
        sa.Column("overflow", sa.Boolean(), nullable=False),
        sa.Column("routing_reasons", sa.Text(), nullable=False),
        sa.Column("mentions", sa.String(length=500), nullable=False),
        sa.Column("page_url", sa.String(length=2000), nullable=True),
        sa.Column("card_channel", sa.String(length=32), nullable=True),
        sa.Column("card_ts", sa.String(length=32), nullable=True),
        sa.Column("card_attempts", sa.Integer(), nullable=False),
        sa.Column("card_error", sa.String(length=200), nullable=True),
        sa.Column("overflow_card_ts", sa.String(length=32), nullable=True),
        _ts("claim_deadline", nullable=False),
        _ts("overflowed_at"),
        _ts("leads_alerted_at"),
        sa.Column("claimed_by", sa.String(length=32), nullable=True),
        _ts("claimed_at"),
        sa.Column("resolved_by", sa.String(length=32), nullable=True),
        _ts("resolved_at"),
        sa.Column("resolution_tag", sa.String(length=32), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("follow_up_later", sa.Boolean(), nullable=False),
        _ts("follow_up_at"),
        _ts("created_at", nullable=False),
        _ts("updated_at", nullable=False),
    )
    for column in ("conversation_id", "account_id", "skill", "tier", "status"):
        op.create_index(f"ix_escalations_{column}", "escalations", [column])
    op.create_index("ix_escalations_claim_deadline", "escalations", ["claim_deadline"])
    op.create_index("ix_escalations_created_at", "escalations", ["created_at"])
    op.create_table(
        "agent_shifts",
        sa.Column("user_id", sa.String(length=32), primary_key=True),
        sa.Column("on_shift", sa.Boolean(), nullable=False),
        _ts("updated_at", nullable=False),
    )


def downgrade() -> None:
    op.drop_table("agent_shifts")
    op.drop_table("escalations")
