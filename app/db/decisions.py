"""Triage decision records."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.db.models import TriageDecision


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
    try:
        with session.begin_nested():
            session.add(decision)
    except IntegrityError:
        assert decision.message_id is not None
        existing = decision_for_message(session=session, message_id=decision.message_id)
        assert existing is not None
        return existing
    return decision
