"""Is a customer's message addressed to a person rather than to support? Plain data in and out.

In a shared channel a customer may write to one of our agents by name ("<@U0AGENT> here are the
logs") or to a colleague of their own ("<@U0MARIA> can you check the invoice?"). Neither is a
new request for the bot: the first belongs to that agent's conversation, the second is
conversation between the customer's own people. A message that mentions the bot, or the whole
channel (``@channel``, ``@here``), is for support.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>")
_BROADCAST = re.compile(r"<!(?:channel|here|everyone)(?:\|[^>]*)?>")


@dataclass(frozen=True, slots=True)
class Addressee:
    user_id: str
    ours: bool  # one of our agents or leads (else someone of the customer's organisation)


def mentioned_users(text: str) -> list[str]:
    """User ids mentioned in ``text``, in order, without repeats."""
    return list(dict.fromkeys(_MENTION.findall(text)))


def addressee(text: str, *, bot_user_id: str, is_staff: Callable[[str], bool]) -> Addressee | None:
    """Who the message is written to, when that is a person and not the bot.

    One of our people mentioned anywhere makes it theirs; otherwise a message that opens with a
    mention of someone else is addressed to that person."""
    mentions = mentioned_users(text)
    if not mentions or bot_user_id in mentions or _BROADCAST.search(text):
        return None
    staff = [user for user in mentions if is_staff(user)]
    if staff:
        return Addressee(staff[0], ours=True)
    opening = _MENTION.match(text.lstrip())
    if opening is not None:
        return Addressee(opening.group(1), ours=False)
    return None
