"""Conversation and message queries."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.db.models import Conversation, Message, utcnow
from app.team_scope import SINGLE_WORKSPACE_TEAM_ID


def conversation_for_thread(
    *, session: Session, channel_id: str, thread_ts: str
) -> Conversation | None:
    return session.exec(
        select(Conversation).where(
            Conversation.channel_id == channel_id, Conversation.thread_ts == thread_ts
        )
    ).first()


def open_conversation(
    *,
    session: Session,
    account_id: int,
    channel_id: str,
    thread_ts: str,
    customer_user_id: str,
    customer_team_id: str | None,
    team_id: str = SINGLE_WORKSPACE_TEAM_ID,
) -> tuple[Conversation, bool]:
    """Return the thread's conversation, creating it if needed; the flag says it was created.

    Safe when two processes race: the unique key on (channel, thread) decides, the loser reloads.
    """
    found = conversation_for_thread(session=session, channel_id=channel_id, thread_ts=thread_ts)
    if found is not None:
        return found, False
    conversation = Conversation(
        team_id=team_id,
        account_id=account_id,
        channel_id=channel_id,
        thread_ts=thread_ts,
        customer_user_id=customer_user_id,
        customer_team_id=customer_team_id,
    )
    try:
        with session.begin_nested():
            session.add(conversation)
    except IntegrityError:
        found = conversation_for_thread(session=session, channel_id=channel_id, thread_ts=thread_ts)
        assert found is not None
        return found, False
    return conversation, True


def add_message(
    *,
    session: Session,
    conversation: Conversation,
    slack_ts: str,
    author: str,
    text: str,
    user_id: str | None,
    team_id: str | None,
) -> Message | None:
    """Record a message once; returns None when this ``slack_ts`` is already recorded."""
    assert conversation.id is not None
    exists = session.exec(
        select(Message.id).where(
            Message.conversation_id == conversation.id, Message.slack_ts == slack_ts
        )
    ).first()
    if exists is not None:
        return None
    message = Message(
        conversation_id=conversation.id,
        slack_ts=slack_ts,
        author=author,
        text=text,
        user_id=user_id,
        team_id=team_id,
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        return None
    conversation.updated_at = utcnow()
    session.add(conversation)
    return message


def messages_of(*, session: Session, conversation_id: int) -> list[Message]:
    return list(
        session.exec(
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(col(Message.slack_ts))
        )
    )
