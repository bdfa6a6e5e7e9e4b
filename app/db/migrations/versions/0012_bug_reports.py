"""bug reports by error fingerprint; outbox rows that wait for another

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bug_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=250), nullable=False),
        sa.Column("headline", sa.String(length=200), nullable=True),
        sa.Column("trackers", sa.String(length=40), nullable=False),
        sa.Column("affected_accounts", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), sa.ForeignKey("escalations.id"), nullable=False),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("fingerprint", name="uq_bug_reports_fingerprint"),
    )
    op.create_table(
        "bug_report_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("bug_report_id", sa.Integer(), sa.ForeignKey("bug_reports.id"), nullable=False),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("escalation_id", sa.Integer(), sa.ForeignKey("escalations.id"), nullable=False),
        sa.Column("reported_by", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("bug_report_id", "account_id", name="uq_bug_report_accounts_account"),
    )
    op.create_index(
        "ix_bug_report_accounts_escalation_id", "bug_report_accounts", ["escalation_id"]
    )
    op.create_index("ix_bug_report_accounts_created_at", "bug_report_accounts", ["created_at"])
    with op.batch_alter_table("outbox_events") as batch:
        batch.add_column(sa.Column("after_key", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_events") as batch:
        batch.drop_column("after_key")
    op.drop_index("ix_bug_report_accounts_created_at", table_name="bug_report_accounts")
    op.drop_index("ix_bug_report_accounts_escalation_id", table_name="bug_report_accounts")
    op.drop_table("bug_report_accounts")
    op.drop_table("bug_reports")
