"""Bug reports: one per error fingerprint in each workspace (one tracker issue each), and the
accounts it hit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db.outbox_table import timestamp_column, utcnow
from app.team_scope import SINGLE_WORKSPACE_TEAM_ID


class BugReport(SQLModel, table=True):
    """One error in one workspace, however many of its accounts report it: it becomes one issue
    per tracker. Another workspace's report of the same error is a report of its own."""

    __tablename__ = "bug_reports"
    __table_args__ = (
        UniqueConstraint("team_id", "fingerprint", name="uq_bug_reports_team_fingerprint"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # the installation of the escalation that filed it (the unique key covers lookups by team)
    team_id: str = Field(
        default=SINGLE_WORKSPACE_TEAM_ID,
        max_length=32,
        sa_column_kwargs={"server_default": SINGLE_WORKSPACE_TEAM_ID},
    )
    fingerprint: str = Field(max_length=64)
    title: str = Field(max_length=250)
    headline: str | None = Field(default=None, max_length=200)  # the detected error line
    trackers: str = Field(max_length=40)  # comma-separated: linear,jira
    affected_accounts: int = 1
    escalation_id: int = Field(foreign_key="escalations.id")  # the first report
    alerted_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())


class BugReportAccount(SQLModel, table=True):
    """An account hit by a reported bug: the first one files the issue, later ones comment."""

    __tablename__ = "bug_report_accounts"
    __table_args__ = (
        UniqueConstraint("bug_report_id", "account_id", name="uq_bug_report_accounts_account"),
        Index("ix_bug_report_accounts_escalation_id", "escalation_id"),
        Index("ix_bug_report_accounts_created_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    bug_report_id: int = Field(foreign_key="bug_reports.id")
    account_id: int = Field(foreign_key="accounts.id")
    escalation_id: int = Field(foreign_key="escalations.id")
    reported_by: str = Field(max_length=32)  # the agent
    source: str = Field(max_length=16)  # button | resolve
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    announced_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
