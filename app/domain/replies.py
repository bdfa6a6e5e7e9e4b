"""What the bot says in a customer thread, as plain data (the Slack layer renders it)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from app.knowledge.answer import Answer


class ReplyKind(enum.Enum):
    ANSWER = "answer"  # an answer from the knowledge base, with "solved" / "need help" buttons
    HANDOFF = "handoff"  # a person from the support team is being brought in


@dataclass(frozen=True)
class BotReply:
    kind: ReplyKind
    conversation_id: int
    customer_user_id: str
    language: str
    skill: str
    answer: Answer | None = None
    text: str = ""  # the hand-off's transition message, in the customer's language
    wait_text: str | None = None
    follow_up_label: str | None = None  # "Follow up later", offered while nobody has claimed
    follow_up_prominent: bool = False  # while a surge playbook runs: the way not to wait


@dataclass(frozen=True)
class Posted:
    ts: str
    text: str  # the plain text of what was posted, recorded as the bot's message


class ThreadReplier(Protocol):
    """Posts the bot's replies into customer threads."""

    def post_reply(
        self,
        *,
        channel: str,
        thread_ts: str,
        reply: BotReply,
        key: str | None = None,
        maybe_sent: bool = False,
    ) -> Posted:
        """Post ``reply`` in the thread, marked with ``key``. With ``maybe_sent`` (an earlier
        attempt may have posted it and failed before recording it) the thread is read first and
        a reply carrying ``key`` is returned instead of posting it again."""
        ...

    def react(self, *, channel: str, ts: str, name: str) -> None:
        """Add the emoji reaction ``name`` to a customer's message (once)."""
        ...
