"""indexes for the KPI queries

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_escalations_resolved_at": ("escalations", ["resolved_at"]),
    "ix_escalations_claimed_at": ("escalations", ["claimed_at"]),
    "ix_csat_ratings_kind_rated_at": ("csat_ratings", ["kind", "rated_at"]),
    "ix_conversations_intent_created_at": ("conversations", ["intent", "created_at"]),
    "ix_conversations_created_status": ("conversations", ["created_at", "status", "escalated_at"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
