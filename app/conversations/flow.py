"""The inbound message flow: record the message, then answer a new conversation in its thread.

Persist before posting: the conversation and message are committed before anything is sent, and
the reply is recorded after it is sent, so a failure in between is retried without duplicates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.engine import Engine

from app.conversations.intake import Action, Author, BotIdentity, IncomingMessage, classify
from app.db.accounts import account_for_channel
from app.db.conversations import add_message, conversation_for_thread, open_conversation
from app.db.engine import session_scope
from app.db.models import Account

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Greeting:
    """What the bot says when a conversation opens."""

    customer_user_id: str
    account_name: str
    language: str


class ThreadReplier(Protocol):
    """Posts the bot's messages into a customer thread; returns the posted message's ts."""

    def post_greeting(self, *, channel: str, thread_ts: str, greeting: Greeting) -> tuple[str, str]:
        """Post and return (ts, plain text) of the posted message."""
        ...


@dataclass(frozen=True)
class Outcome:
    action: str  # opened | recorded | duplicate | ignored
    reason: str
    conversation_id: int | None = None
    reply_ts: str | None = None


def process_message(
    *, engine: Engine, message: IncomingMessage, bot: BotIdentity, replier: ThreadReplier
) -> Outcome:
    intake = classify(message, bot=bot)
    if intake.action is Action.IGNORE:
        return Outcome("ignored", intake.reason)
    assert intake.author is not None and message.user is not None
    with session_scope(engine) as session:
        account = account_for_channel(session=session, channel_id=message.channel)
        if account is None:
            return Outcome("ignored", "channel belongs to no account")
        if intake.action is Action.OPEN:
            conversation, _created = open_conversation(
                session=session,
                account_id=_id(account),
                channel_id=message.channel,
                thread_ts=message.root_ts,
                customer_user_id=message.user,
                customer_team_id=message.team,
            )
        else:
            found = conversation_for_thread(
                session=session, channel_id=message.channel, thread_ts=message.root_ts
            )
            if found is None:
                return Outcome("ignored", "thread is not a conversation")
            conversation = found
        recorded = add_message(
            session=session,
            conversation=conversation,
            slack_ts=message.ts,
            author=intake.author.value,
            text=message.text,
            user_id=message.user,
            team_id=message.team,
        )
        needs_greeting = intake.action is Action.OPEN and conversation.bot_reply_ts is None
        conversation_id = conversation.id
        greeting = Greeting(
            customer_user_id=conversation.customer_user_id,
            account_name=account.name,
            language=account.language,
        )
    if not needs_greeting:
        action = "recorded" if recorded is not None else "duplicate"
        return Outcome(action, intake.reason, conversation_id)
    reply_ts, reply_text = replier.post_greeting(
        channel=message.channel, thread_ts=message.root_ts, greeting=greeting
    )
    with session_scope(engine) as session:
        found = conversation_for_thread(
            session=session, channel_id=message.channel, thread_ts=message.root_ts
        )
        assert found is not None
        found.bot_reply_ts = reply_ts
        session.add(found)
        add_message(
            session=session,
            conversation=found,
            slack_ts=reply_ts,
            author=Author.BOT.value,
            text=reply_text,
            user_id=bot.user_id,
            team_id=bot.team_id,
        )
    logger.info("conversation %s opened in %s", conversation_id, message.channel)
    return Outcome("opened", intake.reason, conversation_id, reply_ts)


def _id(account: Account) -> int:
    assert account.id is not None
    return account.id
