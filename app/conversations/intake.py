"""Decides what an incoming channel message means for the bot. Plain data in, plain data out."""

from __future__ import annotations

import enum
from dataclasses import dataclass

# Subtypes that carry a person's words; every other subtype (edits, deletions, joins, bot
# messages, channel topic changes ...) never opens or joins a conversation.
PERSON_SUBTYPES = frozenset({None, "file_share", "thread_broadcast", "me_message"})


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is in its own workspace."""

    team_id: str
    user_id: str


@dataclass(frozen=True)
class IncomingMessage:
    channel: str
    ts: str
    thread_ts: str | None
    user: str | None
    team: str | None  # the author's team (in Slack Connect, the customer's organisation)
    text: str
    subtype: str | None = None
    bot_id: str | None = None
    has_files: bool = False

    @property
    def is_top_level(self) -> bool:
        return self.thread_ts is None or self.thread_ts == self.ts

    @property
    def root_ts(self) -> str:
        return self.thread_ts or self.ts


class Action(enum.Enum):
    OPEN = "open"  # a customer's top-level message: a new conversation
    RECORD = "record"  # a reply in a thread: recorded if the thread is a conversation
    IGNORE = "ignore"


class Author(enum.StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"
    BOT = "bot"


@dataclass(frozen=True)
class Intake:
    action: Action
    reason: str
    author: Author | None = None


def classify(message: IncomingMessage, *, bot: BotIdentity) -> Intake:
    """What to do with a message posted in a channel the bot is in."""
    if message.bot_id is not None or message.subtype == "bot_message":
        return Intake(Action.IGNORE, "message from a bot")
    if message.subtype not in PERSON_SUBTYPES:
        return Intake(Action.IGNORE, f"subtype {message.subtype}")
    if message.user is None:
        return Intake(Action.IGNORE, "message without an author")
    if message.user == bot.user_id:
        return Intake(Action.IGNORE, "our own message")
    if not message.text.strip() and not message.has_files:
        return Intake(Action.IGNORE, "message with no text")
    internal = message.team is not None and message.team == bot.team_id
    author = Author.STAFF if internal else Author.CUSTOMER
    if message.is_top_level:
        if internal:
            return Intake(Action.IGNORE, "top-level message from internal staff", author)
        return Intake(Action.OPEN, "customer message", author)
    return Intake(Action.RECORD, "thread reply", author)
