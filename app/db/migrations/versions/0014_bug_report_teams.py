"""bug reports belong to an installation: a team id, one report per error fingerprint and team

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26
"""

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SINGLE_WORKSPACE_TEAM_ID = "single"


@contextmanager
def _bug_reports_batch() -> Iterator[BatchOperations]:
    """SQLite rebuilds the table; reflecting it reaches the escalations table its key points to,
    whose expression indexes (untouched here) SQLAlchemy cannot reflect and says so."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        with op.batch_alter_table("bug_reports") as batch:
            yield batch


def upgrade() -> None:
    with _bug_reports_batch() as batch:
        batch.add_column(
            sa.Column(
                "team_id",
                sa.String(length=32),
                nullable=False,
                server_default=SINGLE_WORKSPACE_TEAM_ID,
            )
        )
    # an existing report belongs to the workspace of the escalation that filed it ("single"
    # with one bot token)
    op.execute(
        "UPDATE bug_reports SET team_id = (SELECT escalations.team_id FROM escalations"
        " WHERE escalations.id = bug_reports.escalation_id)"
    )
    with _bug_reports_batch() as batch:
        batch.drop_constraint("uq_bug_reports_fingerprint", type_="unique")
        batch.create_unique_constraint(
            "uq_bug_reports_team_fingerprint", ["team_id", "fingerprint"]
        )


def downgrade() -> None:
    with _bug_reports_batch() as batch:
        batch.drop_constraint("uq_bug_reports_team_fingerprint", type_="unique")
        batch.create_unique_constraint("uq_bug_reports_fingerprint", ["fingerprint"])
        batch.drop_column("team_id")
