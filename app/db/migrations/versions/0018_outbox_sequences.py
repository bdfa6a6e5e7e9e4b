"""the outbox's rows of one sequence (the messages of one Slack thread) go out in order

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_events") as batch:
        batch.add_column(sa.Column("sequence", sa.String(length=200), nullable=True))
    op.create_index("ix_outbox_events_sequence_status", "outbox_events", ["sequence", "status"])


def downgrade() -> None:
    op.drop_index("ix_outbox_events_sequence_status", table_name="outbox_events")
    with op.batch_alter_table("outbox_events") as batch:
        batch.drop_column("sequence")
