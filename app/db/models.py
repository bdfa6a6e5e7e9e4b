"""Tables. Every change to them arrives through an Alembic migration in ``migrations/versions``."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Column, DateTime, Index, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from app.team_scope import SINGLE_WORKSPACE_TEAM_ID


def utcnow() -> datetime:
    return datetime.now(UTC)


def _team_id_field() -> str:
    """The installation (Slack team) a row belongs to; set on insert, filtered on every read."""
    return Field(  # type: ignore[no-any-return]
        default=SINGLE_WORKSPACE_TEAM_ID,
        max_length=32,
        index=True,
        sa_column_kwargs={"server_default": SINGLE_WORKSPACE_TEAM_ID},
    )


def _ts_column(*, index: bool = False, nullable: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


class Account(SQLModel, table=True):
    """A customer of the support team; synced from the config file, keyed by its channel."""

    __tablename__ = "accounts"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = _team_id_field()
    name: str = Field(max_length=200)
    channel_id: str = Field(max_length=32, unique=True)
    tier: str = Field(max_length=16)
    language: str = Field(default="en", max_length=8)
    crm_id: str | None = Field(default=None, max_length=100)
    arr: float | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts_column())


class Conversation(SQLModel, table=True):
    """One customer thread in an account's channel."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("channel_id", "thread_ts", name="uq_conversation_thread"),
        Index("ix_conversations_intent_created_at", "intent", "created_at"),
        Index("ix_conversations_created_status", "created_at", "status", "escalated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = _team_id_field()
    account_id: int = Field(foreign_key="accounts.id", index=True)
    channel_id: str = Field(max_length=32)
    thread_ts: str = Field(max_length=32)
    customer_user_id: str = Field(max_length=32)
    customer_team_id: str | None = Field(default=None, max_length=32)
    # open: new | answered: the bot answered | contained: the customer said it solved it |
    # escalated: handed to a human
    status: str = Field(default="open", max_length=16, index=True)
    bot_reply_ts: str | None = Field(default=None, max_length=32)
    intent: str | None = Field(default=None, max_length=40)
    language: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts_column(index=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts_column())
    escalated_at: datetime | None = Field(default=None, sa_column=_ts_column(nullable=True))
    contained_at: datetime | None = Field(default=None, sa_column=_ts_column(nullable=True))


class ConversationDayCount(SQLModel, table=True):
    """Conversations opened per UTC day, installation, account tier (the account's current one)
    and intent ('' for none), with how many escalated and how many were contained. Database
    triggers (migration 0011) keep it in the transaction that writes a conversation or an
    account's tier; never written by the application. The KPI report reads whole days from
    here."""

    __tablename__ = "conversation_day_counts"

    day: date = Field(primary_key=True)
    team_id: str = Field(primary_key=True, max_length=32)  # the installation's
    tier: str = Field(primary_key=True, max_length=16)
    intent: str = Field(primary_key=True, max_length=40)
    conversations: int
    escalated: int
    contained: int


class Message(SQLModel, table=True):
    """A message of a conversation: from the customer, internal staff, or the bot."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "slack_ts", name="uq_message_ts"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True)
    slack_ts: str = Field(max_length=32, index=True)
    user_id: str | None = Field(default=None, max_length=32)
    team_id: str | None = Field(default=None, max_length=32)
    author: str = Field(max_length=16)  # customer | staff | bot
    # a top-level message of the customer's that joined this conversation (it has its own thread)
    joined: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts_column())


class SlackEvent(SQLModel, table=True):
    """An Events API delivery, stored before it is acknowledged: de-duplicates Slack's retries and
    lets the worker finish what a crashed process left undone."""

    __tablename__ = "slack_events"

    event_id: str = Field(primary_key=True, max_length=64)
    team_id: str | None = Field(default=None, max_length=32)
    event_type: str = Field(max_length=64)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="received", max_length=16, index=True)  # received|done|failed
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    received_at: datetime = Field(default_factory=utcnow, sa_column=_ts_column(index=True))
    finished_at: datetime | None = Field(default=None, sa_column=_ts_column(nullable=True))


class ScheduledRun(SQLModel, table=True):
    """One slot of a scheduled job (e.g. Monday 08:00's digest), taken by the worker that runs
    it: the slot is done once even when two workers overlap or one is killed mid-run."""

    __tablename__ = "scheduled_runs"

    job_id: str = Field(primary_key=True, max_length=64)
    slot: datetime = Field(sa_column=Column(DateTime(timezone=True), primary_key=True))
    status: str = Field(default="running", max_length=16)  # running | done
    taken_at: datetime = Field(default_factory=utcnow, sa_column=_ts_column())
    holder: str | None = Field(default=None, max_length=80)  # the worker running it (host:pid)
    finished_at: datetime | None = Field(default=None, sa_column=_ts_column(nullable=True))


class TriageDecision(SQLModel, table=True):
    """The auditable record of one triage: the signals, every trigger with its value and
    threshold, and what the bot did about it."""

    __tablename__ = "triage_decisions"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="messages.id", unique=True)
    escalate: bool
    fired_triggers: str = Field(default="", max_length=100)  # comma-separated trigger types
    triggers: str = Field(sa_column=Column(Text, nullable=False))  # JSON: every trigger evaluated
    intent: str = Field(max_length=40, index=True)
    sentiment: float
    language: str = Field(max_length=8)
    frustration: bool = False
    confidence: float
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    backend: str = Field(max_length=16)
    fallback_reason: str | None = Field(default=None, max_length=200)
    answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON
    reply_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts_column(index=True))


class Escalation(SQLModel, table=True):
    """A hand-off of a conversation to a person: routed, carded, claimed once, resolved."""

    __tablename__ = "escalations"
    __table_args__ = (
        # the KPI percentiles read durations and segments from the index alone
        Index("ix_escalations_resolved_cover", "resolved_at", "created_at", "tier", "skill"),
        Index("ix_escalations_claimed_cover", "claimed_at", "created_at", "tier", "skill"),
        # in the repeat KPI's LAG order (account, intent, time): read in order, never sorted
        Index(
            "ix_escalations_repeat_history",
            *("account_id", "intent", "created_at", "id", "tier", "skill"),
        ),
        # SQLite also has expression indexes on the durations (migration 0011), which its
        # schema reflection does not report.
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = _team_id_field()
    conversation_id: int = Field(foreign_key="conversations.id", index=True)
    decision_id: int | None = Field(default=None, foreign_key="triage_decisions.id")
    account_id: int = Field(foreign_key="accounts.id", index=True)
    skill: str = Field(max_length=40, index=True)
    # The conversation's intent, copied by database triggers (migration 0011) when the escalation
    # is inserted and whenever the conversation's intent changes; never set by the application.
    intent: str | None = Field(default=None, max_length=40)
    language: str = Field(max_length=8)
    tier: str = Field(max_length=16, index=True)
    status: str = Field(default="pending", max_length=16, index=True)  # pending|claimed|resolved
    routed_channel: str = Field(max_length=32)
    overflow: bool = False
    routing_reasons: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON
    mentions: str = Field(default="", max_length=500)  # comma-separated user ids
    page_url: str | None = Field(default=None, max_length=2000)
    card_channel: str | None = Field(default=None, max_length=32)
    card_ts: str | None = Field(default=None, max_length=32)
    card_attempts: int = 0
    # Who is posting the card right now (a short lease): the web process and the worker's
    # missing-card pass never post the same card twice
    card_claimed_at: datetime | None = Field(default=None, sa_column=_ts_column(nullable=True))
    card_error: str | None = Field(default=None, max_length=200)
    overflow_card_ts: str | None = Field(default=None, max_length=32)
    claim_deadline: datetime = Field(sa_column=_ts_column(index=True))
    overflowed_at: datetime | None = Field(default=None, sa_column=_ts_column(nullable=True))
    leads_alerted_at: datetime | None = Field(default=None, sa_column=_ts_column(nullable=True))
    claimed_by: str | None = Field(default=None, max_length=32)
    claimed_at: datetime | None = Field(default=None, sa_column=_ts_column(nullable=True))
    resolved_by: str | None = Field(default=None, max_length=32)
    resolved_at: datetime | None = Field(default=None, sa_column=_ts_column(nullable=True))
    resolution_tag: str | None = Field(default=None, max_length=32)
    resolution_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    follow_up_later: bool = False
    follow_up_at: datetime | None = Field(default=None, sa_column=_ts_column(nullable=True))
    follow_up_by: str | None = Field(default=None, max_length=16)  # slack | email
    wait_shown: str | None = Field(default=None, max_length=300)  # the customer's live wait line
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts_column(index=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts_column())


class AgentShift(SQLModel, table=True):
    """An agent's own on/off shift switch (agents without a row are on shift)."""

    __tablename__ = "agent_shifts"

    user_id: str = Field(primary_key=True, max_length=32)
    on_shift: bool = True
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts_column())


def as_utc(value: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back without a zone."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class CsatRating(SQLModel, table=True):
    """A customer's rating: of the hand-off (kind ``escalation``) or of a bot answer that solved
    it (kind ``ai``), kept apart so post-escalation CSAT is never mixed with AI CSAT."""

    __tablename__ = "csat_ratings"
    __table_args__ = (Index("ix_csat_ratings_kind_rated_at", "kind", "rated_at"),)

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=40, unique=True)  # "escalation:<id>" | "conversation:<id>"
    kind: str = Field(max_length=16, index=True)  # escalation | ai
    conversation_id: int = Field(foreign_key="conversations.id", index=True)
    escalation_id: int | None = Field(default=None, foreign_key="escalations.id")
    rating: int | None = None  # 1-5; None while the survey waits for an answer
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    user_id: str | None = Field(default=None, max_length=32)
    survey_channel: str | None = Field(default=None, max_length=32)
    survey_ts: str | None = Field(default=None, max_length=32)
    expires_at: datetime | None = Field(default=None, sa_column=_ts_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts_column(index=True))
    rated_at: datetime | None = Field(default=None, sa_column=_ts_column(nullable=True))


class KnowledgeGap(SQLModel, table=True):
    """An escalation resolved as an AI knowledge gap, queued for a knowledge-base article."""

    __tablename__ = "knowledge_gaps"

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = Field(foreign_key="escalations.id", unique=True)
    intent: str = Field(max_length=40, index=True)
    topic: str = Field(max_length=200, index=True)  # key grouping similar questions
    # The key before migration 0022 recomputed it (buttons posted before carry it); else None
    previous_topic: str | None = Field(default=None, max_length=200)
    question: str = Field(sa_column=Column(Text, nullable=False))
    resolution_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(default="open", max_length=16, index=True)  # open | article_written
    flagged_at: datetime | None = Field(default=None, sa_column=_ts_column(nullable=True))
    digested_at: datetime | None = Field(default=None, sa_column=_ts_column(nullable=True))
    article_written_by: str | None = Field(default=None, max_length=32)
    article_written_at: datetime | None = Field(default=None, sa_column=_ts_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts_column(index=True))


class Surge(SQLModel, table=True):
    """A surge playbook run (manual, scheduled or detected), reviewed when it ends."""

    __tablename__ = "surges"
    __table_args__ = (
        # A calendar event's key (playbook@start): each starts at most once per installation
        UniqueConstraint("team_id", "calendar_key", name="uq_surges_team_calendar_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = _team_id_field()  # one surge at a time per installation
    playbook: str = Field(max_length=40)
    source: str = Field(max_length=16)  # manual | auto | schedule
    started_by: str | None = Field(default=None, max_length=32)
    status_url: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, max_length=500)
    started_at: datetime = Field(sa_column=_ts_column(index=True))
    ended_at: datetime | None = Field(default=None, sa_column=_ts_column(nullable=True))
    ended_by: str | None = Field(default=None, max_length=32)
    review: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON
    calendar_key: str | None = Field(default=None, max_length=120)
    # When the leads were told how the customer notices went (reset when more are queued)
    notices_reported_at: datetime | None = Field(default=None, sa_column=_ts_column(nullable=True))


class TokenRefreshLease(SQLModel, table=True):
    """Who is refreshing an installation's rotating token right now: taken with one conditional
    UPDATE, so that two processes never spend the same refresh token."""

    __tablename__ = "token_refresh_leases"

    installation_key: str = Field(primary_key=True, max_length=80)
    holder: str | None = Field(default=None, max_length=64)
    expires_at: datetime | None = Field(default=None, sa_column=_ts_column(nullable=True))


# Tables kept in modules of their own, registered here so that migrations and schema checks see
# the whole schema from this one module.
from app.db import installation_tables as _installation_tables  # noqa: E402, F401
from app.db.bug_report_tables import BugReport, BugReportAccount  # noqa: E402
from app.db.outbox_table import OutboxEvent  # noqa: E402

__all__ = ["BugReport", "BugReportAccount", "OutboxEvent"]
