"""Conversation and message queries."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.db.engine import add_once
from app.db.models import Conversation, Message, utcnow
from app.team_scope import SINGLE_WORKSPACE_TEAM_ID

#: Conversations a customer's next top-level message may join.
JOINABLE_STATUSES = ("open", "answered", "escalated")


def conversation_for_thread(
    *, session: Session, channel_id: str, thread_ts: str
) -> Conversation | None:
    """The conversation of a thread: the one it opened, or the one its top message joined."""
    found = session.exec(
        select(Conversation).where(
            Conversation.channel_id == channel_id, Conversation.thread_ts == thread_ts
        )
    ).first()
    return found or joined_by(session=session, channel_id=channel_id, slack_ts=thread_ts)


def joined_by(*, session: Session, channel_id: str, slack_ts: str) -> Conversation | None:
    """The conversation that the top-level message ``slack_ts`` joined, if it joined one."""
    return session.exec(
        select(Conversation)
        .join(Message, col(Message.conversation_id) == col(Conversation.id))
        .where(
            col(Conversation.channel_id) == channel_id,
            col(Message.slack_ts) == slack_ts,
            col(Message.joined).is_(True),
        )
    ).first()


def joinable_conversation(
    *,
    session: Session,
    account_id: int,
    channel_id: str,
    customer_user_id: str,
    slack_ts: str,
    window_seconds: int,
) -> Conversation | None:
    """The customer's open, answered or escalated conversation in this channel whose latest
    message of theirs came at most ``window_seconds`` before ``slack_ts`` (Slack timestamps)."""
    if window_seconds <= 0:
        return None
    try:
        moment = float(slack_ts)
    except ValueError:
        return None
    earliest = f"{moment - window_seconds:.6f}"
    row = session.exec(
        select(Conversation)
        .join(Message, col(Message.conversation_id) == col(Conversation.id))
        .where(
            col(Conversation.account_id) == account_id,
            col(Conversation.channel_id) == channel_id,
            col(Conversation.customer_user_id) == customer_user_id,
            col(Conversation.status).in_(JOINABLE_STATUSES),
            col(Conversation.thread_ts) != slack_ts,
            col(Message.author) == "customer",
            col(Message.user_id) == customer_user_id,
            col(Message.slack_ts) >= earliest,
            col(Message.slack_ts) < slack_ts,
        )
        .order_by(col(Message.slack_ts).desc())
        .limit(1)
    ).first()
    return row


def open_conversation(
    *,
    session: Session,
    account_id: int,
    channel_id: str,
    thread_ts: str,
    customer_user_id: str,
    customer_team_id: str | None,
    team_id: str = SINGLE_WORKSPACE_TEAM_ID,
    looked_up: bool = False,
) -> tuple[Conversation, bool]:
    """Return the thread's conversation, creating it if needed; the flag says it was created.
    ``looked_up``: the caller has just found no conversation of the thread, so the insert (one
    statement) comes first.

    Safe when two processes race: the unique key on (channel, thread) decides, the loser reloads.
    """
    if not looked_up:
        found = conversation_for_thread(session=session, channel_id=channel_id, thread_ts=thread_ts)
        if found is not None:
            return found, False
    created = add_once(
        session,
        Conversation(
            team_id=team_id,
            account_id=account_id,
            channel_id=channel_id,
            thread_ts=thread_ts,
            customer_user_id=customer_user_id,
            customer_team_id=customer_team_id,
        ),
    )
    if created is None:
        found = conversation_for_thread(session=session, channel_id=channel_id, thread_ts=thread_ts)
        assert found is not None
        return found, False
    return created, True


def add_message(
    *,
    session: Session,
    conversation: Conversation,
    slack_ts: str,
    author: str,
    text: str,
    user_id: str | None,
    team_id: str | None,
    joined: bool = False,
) -> Message | None:
    """Record a message once; returns None when this ``slack_ts`` is already recorded.
    ``joined``: a top-level message of the customer's that joined this conversation."""
    assert conversation.id is not None
    message = add_once(
        session,
        Message(
            conversation_id=conversation.id,
            slack_ts=slack_ts,
            author=author,
            text=text,
            user_id=user_id,
            team_id=team_id,
            joined=joined,
        ),
    )
    if message is None:
        return None
    conversation.updated_at = utcnow()
    session.add(conversation)
    return message


def joined_messages(*, session: Session, conversation_id: int) -> list[Message]:
    """The customer's top-level messages that joined the conversation, oldest first."""
    return list(
        session.exec(
            select(Message)
            .where(col(Message.conversation_id) == conversation_id, col(Message.joined).is_(True))
            .order_by(col(Message.slack_ts))
        )
    )


def messages_of(*, session: Session, conversation_id: int) -> list[Message]:
    return list(
        session.exec(
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(col(Message.slack_ts))
        )
    )
