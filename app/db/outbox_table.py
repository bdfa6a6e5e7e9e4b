"""The outbox table: one row per message that must reach an external system exactly once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

PENDING = "pending"
DELIVERING = "delivering"
DELIVERED = "delivered"
DEAD = "dead"
STATUSES = (PENDING, DELIVERING, DELIVERED, DEAD)


def utcnow() -> datetime:
    return datetime.now(UTC)


def timestamp_column(*, nullable: bool = False) -> Column[datetime]:
    """A time with its zone (stored as UTC)."""
    return Column(DateTime(timezone=True), nullable=nullable)


class OutboxEvent(SQLModel, table=True):
    """A message waiting for (or done with) delivery; written in the transaction that caused it."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_outbox_events_idempotency_key"),
        Index("ix_outbox_events_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_events_sequence_status", "sequence", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    idempotency_key: str = Field(max_length=200)
    payload: str = Field(sa_column=Column(Text, nullable=False))  # JSON
    status: str = Field(default=PENDING, max_length=16)  # pending|delivering|delivered|dead
    attempts: int = 0
    # pending: due from this time on | delivering: the claim's lease ends at this time
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    last_error: str | None = Field(default=None, max_length=500)
    # delivered only after the row with this idempotency key is delivered (e.g. a comment after
    # its issue); the sender then gets that row's external id and url as payload["after"]
    after_key: str | None = Field(default=None, max_length=200)
    # rows of one sequence (e.g. the messages of one Slack thread) are delivered in the order
    # they were stored: one waits while an earlier one of its sequence is pending or delivering
    sequence: str | None = Field(default=None, max_length=200)
    external_id: str | None = Field(default=None, max_length=100)
    external_url: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp_column())
    delivered_at: datetime | None = Field(default=None, sa_column=timestamp_column(nullable=True))
