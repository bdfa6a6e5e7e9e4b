"""Triaged customer messages as recorded, for replaying stored history (``replay --days``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.db.models import Account, Conversation, Message, TriageDecision, as_utc


@dataclass(frozen=True, slots=True)
class TriagedMessage:
    """A customer message that was triaged, and what was decided about it then."""

    decision_id: int
    conversation_id: int
    team_id: str  # the installation of the conversation
    channel_id: str
    account_name: str
    tier: str  # the account's tier now
    account_language: str
    text: str
    opening: bool  # the message that opened its conversation's thread
    joined: bool  # a later top-level message that joined the conversation
    escalated: bool  # the recorded decision
    intent: str
    sentiment: float
    backend: str
    fallback_reason: str | None
    decided_at: datetime
    in_window: bool  # decided at or after the window's start (else: earlier in its thread)


def triaged_messages(
    *, session: Session, since: datetime, team_id: str | None = None
) -> list[TriagedMessage]:
    """Every triaged customer message of the conversations with one triaged since ``since``
    (of one installation, or of all), oldest first. Messages of those conversations triaged
    before ``since`` come too, with ``in_window`` false: they are the history of the thread."""
    recent = select(TriageDecision.conversation_id).where(col(TriageDecision.created_at) >= since)
    statement = (
        select(TriageDecision, Message, Conversation, Account)
        .join(Message, col(Message.id) == col(TriageDecision.message_id))
        .join(Conversation, col(Conversation.id) == col(TriageDecision.conversation_id))
        .join(Account, col(Account.id) == col(Conversation.account_id))
        .where(
            col(TriageDecision.conversation_id).in_(recent),
            col(Message.author) == "customer",
        )
        .order_by(col(TriageDecision.created_at), col(TriageDecision.id))
    )
    if team_id is not None:
        statement = statement.where(col(Conversation.team_id) == team_id)
    start = as_utc(since)
    rows: list[TriagedMessage] = []
    for decision, message, conversation, account in session.exec(statement):
        assert decision.id is not None and conversation.id is not None
        decided_at = as_utc(decision.created_at)
        rows.append(
            TriagedMessage(
                decision_id=decision.id,
                conversation_id=conversation.id,
                team_id=conversation.team_id,
                channel_id=conversation.channel_id,
                account_name=account.name,
                tier=account.tier,
                account_language=account.language,
                text=message.text,
                opening=message.slack_ts == conversation.thread_ts,
                joined=message.joined,
                escalated=decision.escalate,
                intent=decision.intent,
                sentiment=decision.sentiment,
                backend=decision.backend,
                fallback_reason=decision.fallback_reason,
                decided_at=decided_at,
                in_window=decided_at >= start,
            )
        )
    return rows
