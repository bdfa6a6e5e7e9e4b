"""Conversation activity per account tier over a window, aggregated in the database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.db.models import Account, Conversation, Message, utcnow

MAX_WINDOW_DAYS = 365
_WINDOW = re.compile(r"^\s*(\d{1,3})\s*(d|days?)?\s*$", re.IGNORECASE)


def parse_window_days(text: str, *, default: int = 7) -> int:
    """``""`` → default; ``"30"``, ``"30d"``, ``"30 days"`` → 30. Raises ValueError otherwise."""
    if not text.strip():
        return default
    match = _WINDOW.match(text)
    if match is None:
        raise ValueError(f"I can't read {text.strip()[:40]!r} as a time window")
    days = int(match.group(1))
    if not 1 <= days <= MAX_WINDOW_DAYS:
        raise ValueError(f"The window must be between 1 and {MAX_WINDOW_DAYS} days")
    return days


@dataclass(frozen=True)
class ActivitySummary:
    days: int
    since: datetime
    conversations: int
    customer_messages: int
    conversations_by_tier: dict[str, int] = field(default_factory=dict)


def activity_summary(
    *, session: Session, days: int, team_id: str | None = None, now: datetime | None = None
) -> ActivitySummary:
    """Conversations and customer messages of the last ``days`` (of one installation when
    ``team_id`` is given)."""
    since = (now or utcnow()) - timedelta(days=days)
    teams = [col(Conversation.team_id) == team_id] if team_id is not None else []
    by_tier = dict(
        session.exec(
            select(Account.tier, func.count(col(Conversation.id)))
            .join(Account, col(Account.id) == col(Conversation.account_id))
            .where(col(Conversation.created_at) >= since, *teams)
            .group_by(Account.tier)
        ).all()
    )
    customer_messages = session.exec(
        select(func.count(col(Message.id)))
        .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
        .where(col(Message.author) == "customer", col(Message.created_at) >= since, *teams)
    ).one()
    return ActivitySummary(
        days=days,
        since=since,
        conversations=sum(by_tier.values()),
        customer_messages=int(customer_messages),
        conversations_by_tier={str(k): int(v) for k, v in by_tier.items()},
    )
