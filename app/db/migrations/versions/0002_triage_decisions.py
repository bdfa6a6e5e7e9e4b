"""triage decisions; conversation status, intent and escalation times

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("intent", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("contained_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_conversations_status", ["status"])
    op.create_table(
        "triage_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "conversation_id", sa.Integer(), sa.ForeignKey("conversations.id"), nullable=False
        ),
        sa.Column("message_id", sa.Integer(), sa.ForeignKey("messages.id"), nullable=True),
        sa.Column("escalate", sa.Boolean(), nullable=False),
        sa.Column("fired_triggers", sa.String(length=100), nullable=False),
        sa.Column("triggers", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=40), nullable=False),
        sa.Column("sentiment", sa.Float(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("frustration", sa.Boolean(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("backend", sa.String(length=16), nullable=False),
        sa.Column("fallback_reason", sa.String(length=200), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("reply_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("message_id", name="uq_triage_decisions_message_id"),
    )
    op.create_index("ix_triage_decisions_conversation_id", "triage_decisions", ["conversation_id"])
    op.create_index("ix_triage_decisions_intent", "triage_decisions", ["intent"])
    op.create_index("ix_triage_decisions_created_at", "triage_decisions", ["created_at"])


def downgrade() -> None:
    op.drop_table("triage_decisions")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_index("ix_conversations_status")
        batch.drop_column("contained_at")
        batch.drop_column("escalated_at")
        batch.drop_column("language")
        batch.drop_column("intent")
