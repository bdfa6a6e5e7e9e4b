"""Message lookups."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.db.models import Message


def message_by_ts(*, session: Session, conversation_id: int, slack_ts: str) -> Message | None:
    return session.exec(
        select(Message).where(
            col(Message.conversation_id) == conversation_id, col(Message.slack_ts) == slack_ts
        )
    ).first()


def has_staff_message(*, session: Session, conversation_id: int) -> bool:
    """Has one of our people written in the conversation's thread?"""
    return (
        session.exec(
            select(Message.id)
            .where(col(Message.conversation_id) == conversation_id, col(Message.author) == "staff")
            .limit(1)
        ).first()
        is not None
    )
