"""Triage decision records."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from app.db.engine import add_once
from app.db.models import Conversation, TriageDecision


def decision_for_message(*, session: Session, message_id: int) -> TriageDecision | None:
    return session.exec(
        select(TriageDecision).where(col(TriageDecision.message_id) == message_id)
    ).first()


def latest_decision(*, session: Session, conversation_id: int) -> TriageDecision | None:
    return session.exec(
        select(TriageDecision)
        .where(col(TriageDecision.conversation_id) == conversation_id)
        .order_by(col(TriageDecision.id).desc())
    ).first()


def add_decision(*, session: Session, decision: TriageDecision) -> TriageDecision:
    """Store a decision; for a message already decided, the stored one wins (retries)."""
    stored = add_once(session, decision)
    if stored is not None:
        return stored
    assert decision.message_id is not None
    existing = decision_for_message(session=session, message_id=decision.message_id)
    assert existing is not None
    return existing


def conversation_sentiments(*, session: Session, conversation_id: int) -> list[float]:
    """The sentiment of each request of the conversation triaged so far, oldest first."""
    return list(
        session.exec(
            select(TriageDecision.sentiment)
            .where(col(TriageDecision.conversation_id) == conversation_id)
            .order_by(col(TriageDecision.id))
        )
    )


def answers_given(
    *,
    session: Session,
    account_id: int,
    customer_user_id: str,
    since: datetime,
    other_than: int,
    limit: int = 50,
) -> list[tuple[datetime, str]]:
    """Knowledge-base answers the bot gave this customer since ``since`` in their other
    conversations that they did not mark solved: (when, the answer's JSON), newest first."""
    rows = session.exec(
        select(TriageDecision.created_at, TriageDecision.answer)
        .join(Conversation, col(Conversation.id) == col(TriageDecision.conversation_id))
        .where(
            col(Conversation.account_id) == account_id,
            col(Conversation.customer_user_id) == customer_user_id,
            col(Conversation.id) != other_than,
            col(Conversation.status) != "contained",
            col(TriageDecision.escalate).is_(False),
            col(TriageDecision.answer).is_not(None),
            col(TriageDecision.created_at) >= since,
        )
        .order_by(col(TriageDecision.created_at).desc())
        .limit(limit)
    )
    return [(created, answer) for created, answer in rows if answer is not None]
