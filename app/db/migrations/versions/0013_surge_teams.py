"""surges belong to an installation: a team id, calendar events taken once per team

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SINGLE_WORKSPACE_TEAM_ID = "single"


def upgrade() -> None:
    with op.batch_alter_table("surges") as batch:
        batch.add_column(
            sa.Column(
                "team_id",
                sa.String(length=32),
                nullable=False,
                server_default=SINGLE_WORKSPACE_TEAM_ID,
            )
        )
        batch.drop_constraint("uq_surges_calendar_key", type_="unique")
        batch.create_unique_constraint("uq_surges_team_calendar_key", ["team_id", "calendar_key"])
    op.create_index("ix_surges_team_id", "surges", ["team_id"])


def downgrade() -> None:
    op.drop_index("ix_surges_team_id", table_name="surges")
    with op.batch_alter_table("surges") as batch:
        batch.drop_constraint("uq_surges_team_calendar_key", type_="unique")
        batch.create_unique_constraint("uq_surges_calendar_key", ["calendar_key"])
        batch.drop_column("team_id")
