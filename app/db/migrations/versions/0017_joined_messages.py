"""a customer's follow-up top-level message joins the conversation it follows, marked as joined;
a message is found by its ts, so that replies in a joined message's thread find the conversation

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(
            sa.Column("joined", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index("ix_messages_slack_ts", "messages", ["slack_ts"])


def downgrade() -> None:
    op.drop_index("ix_messages_slack_ts", table_name="messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("joined")
