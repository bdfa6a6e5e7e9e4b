"""Tables. Every change to them arrives through an Alembic migration in ``migrations/versions``."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts_column(*, index: bool = False, nullable: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


class Account(SQLModel, table=True):
    """A customer of the support team; synced from the config file, keyed by its channel."""

    __tablename__ = "accounts"

    id: int | None = Field(default=None, primary_key=True)
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
    __table_args__ = (UniqueConstraint("channel_id", "thread_ts", name="uq_conversation_thread"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True)
    channel_id: str = Field(max_length=32)
    thread_ts: str = Field(max_length=32)
    customer_user_id: str = Field(max_length=32)
    customer_team_id: str | None = Field(default=None, max_length=32)
    status: str = Field(default="open", max_length=16)
    bot_reply_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts_column(index=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts_column())


class Message(SQLModel, table=True):
    """A message of a conversation: from the customer, internal staff, or the bot."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "slack_ts", name="uq_message_ts"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True)
    slack_ts: str = Field(max_length=32)
    user_id: str | None = Field(default=None, max_length=32)
    team_id: str | None = Field(default=None, max_length=32)
    author: str = Field(max_length=16)  # customer | staff | bot
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
