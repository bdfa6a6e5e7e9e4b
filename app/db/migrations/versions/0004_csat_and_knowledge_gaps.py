"""CSAT ratings, knowledge-gap queue, and indexes for the KPI queries

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "csat_ratings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column(
            "conversation_id", sa.Integer(), sa.ForeignKey("conversations.id"), nullable=False
        ),
        sa.Column("escalation_id", sa.Integer(), sa.ForeignKey("escalations.id"), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("survey_channel", sa.String(length=32), nullable=True),
        sa.Column("survey_ts", sa.String(length=32), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("subject", name="uq_csat_ratings_subject"),
    )
    op.create_index("ix_csat_ratings_kind", "csat_ratings", ["kind"])
    op.create_index("ix_csat_ratings_conversation_id", "csat_ratings", ["conversation_id"])
    op.create_index("ix_csat_ratings_created_at", "csat_ratings", ["created_at"])
    op.create_table(
        "knowledge_gaps",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("escalation_id", sa.Integer(), sa.ForeignKey("escalations.id"), nullable=False),
        sa.Column("intent", sa.String(length=40), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("digested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("article_written_by", sa.String(length=32), nullable=True),
        sa.Column("article_written_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("escalation_id", name="uq_knowledge_gaps_escalation_id"),
    )
    for column in ("intent", "topic", "status", "created_at"):
        op.create_index(f"ix_knowledge_gaps_{column}", "knowledge_gaps", [column])


def downgrade() -> None:
    op.drop_table("knowledge_gaps")
    op.drop_table("csat_ratings")
