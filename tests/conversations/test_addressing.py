from __future__ import annotations

import pytest

from app.conversations.addressing import Addressee, addressee, mentioned_users

BOT = "U0BOT"
STAFF = {"U0AGENT1", "U0LEAD"}


def _to(text: str) -> Addressee | None:
    return addressee(text, bot_user_id=BOT, is_staff=STAFF.__contains__)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U0AGENT1> here are the logs you asked for", Addressee("U0AGENT1", True)),
        ("thanks for yesterday, <@U0LEAD|dana>, the export works", Addressee("U0LEAD", True)),
        ("<@U0MARIA> can you check the invoice before Friday?", Addressee("U0MARIA", False)),
        ("<@U0MARIA> <@U0AGENT1> see thread", Addressee("U0AGENT1", True)),
    ],
)
def test_messages_written_to_a_person(text: str, expected: Addressee) -> None:
    assert _to(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "how do I export a board?",
        "<@U0BOT> how do I export a board?",
        "<@U0AGENT1> <@U0BOT> summary please",
        "our export fails, cc <@U0MARIA>",
        "<!here> the API is down",
        "<!channel> <@U0LEAD1> the export is broken",
        "<#C0ABC> is the channel",
    ],
)
def test_messages_for_support(text: str) -> None:
    assert _to(text) is None


def test_mentioned_users_in_order_without_repeats() -> None:
    assert mentioned_users("<@U0A> <@W0B|bee> <@U0A>") == ["U0A", "W0B"]
