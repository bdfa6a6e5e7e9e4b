from __future__ import annotations

import pytest

from app.conversations.intake import Action, Author, BotIdentity, IncomingMessage, classify

BOT = BotIdentity(team_id="T0OURS", user_id="U0BOT")


def msg(**overrides: object) -> IncomingMessage:
    fields: dict[str, object] = {
        "channel": "C0ACME",
        "ts": "100.1",
        "thread_ts": None,
        "user": "U0CUST",
        "team": "T0CUSTOMER",
        "text": "How do I export my boards?",
    }
    fields.update(overrides)
    return IncomingMessage(**fields)  # type: ignore[arg-type]


def test_customer_top_level_message_opens_a_conversation() -> None:
    intake = classify(msg(), bot=BOT)
    assert intake.action is Action.OPEN
    assert intake.author is Author.CUSTOMER


def test_thread_replies_are_recorded_with_their_author() -> None:
    customer = classify(msg(ts="100.2", thread_ts="100.1"), bot=BOT)
    staff = classify(msg(ts="100.3", thread_ts="100.1", team="T0OURS", user="U0AGENT1"), bot=BOT)
    assert (customer.action, customer.author) == (Action.RECORD, Author.CUSTOMER)
    assert (staff.action, staff.author) == (Action.RECORD, Author.STAFF)


def test_thread_broadcast_counts_as_a_reply() -> None:
    intake = classify(msg(ts="100.2", thread_ts="100.1", subtype="thread_broadcast"), bot=BOT)
    assert intake.action is Action.RECORD


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"bot_id": "B0OTHER"}, "message from a bot"),
        ({"subtype": "bot_message", "user": None}, "message from a bot"),
        ({"user": "U0BOT", "team": "T0OURS"}, "our own message"),
        ({"subtype": "message_changed"}, "subtype message_changed"),
        ({"subtype": "message_deleted"}, "subtype message_deleted"),
        ({"subtype": "channel_join"}, "subtype channel_join"),
        ({"text": "   "}, "message with no text"),
        ({"user": None}, "message without an author"),
        ({"team": "T0OURS", "user": "U0AGENT1"}, "top-level message from internal staff"),
    ],
)
def test_ignored_messages(overrides: dict[str, object], reason: str) -> None:
    intake = classify(msg(**overrides), bot=BOT)
    assert intake.action is Action.IGNORE
    assert intake.reason == reason


def test_files_without_text_still_count() -> None:
    assert classify(msg(text="", has_files=True), bot=BOT).action is Action.OPEN
