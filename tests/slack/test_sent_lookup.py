"""Finding a keyed message again in a channel's history: found, not found, older than the send,
and the bound on the pages read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient

from app.slack.sent_lookup import (
    CLOCK_SKEW,
    REMINDER_EVENT,
    REPLY_EVENT,
    find_keyed_message,
    find_keyed_reply,
    keyed_metadata,
    keys_in_thread,
)
from standins.slack.standin import SlackStandin
from standins.slack.workspace import Workspace

CHANNEL = "C0LEADS"


@pytest.fixture
def standin() -> Iterator[SlackStandin]:
    workspace = Workspace(wall_clock_ts=True)
    with SlackStandin(workspace=workspace, post_message_per_channel_per_second=None) as running:
        running.add_channel(CHANNEL, "support-leads")
        yield running


@pytest.fixture
def client(standin: SlackStandin) -> WebClient:
    return WebClient(token=standin.bot_token, base_url=standin.url)


def _post(client: WebClient, text: str, key: str | None = None) -> str:
    metadata = keyed_metadata(REMINDER_EVENT, key) if key else None
    return str(client.chat_postMessage(channel=CHANNEL, text=text, metadata=metadata)["ts"])


def _find(client: WebClient, key: str, **bounds: int) -> str | None:
    since = datetime.now(UTC) - timedelta(seconds=30)
    return find_keyed_message(client, channel=CHANNEL, key=key, since=since, **bounds)


def test_the_message_carrying_the_key_is_found(client: WebClient) -> None:
    _post(client, "other reminder", "escalation-1-leads-1")
    ts = _post(client, "the reminder", "escalation-2-leads-1")
    _post(client, "chatter")
    assert _find(client, "escalation-2-leads-1") == ts


def test_a_key_nobody_posted_is_not_found(client: WebClient, standin: SlackStandin) -> None:
    _post(client, "other reminder", "escalation-1-leads-1")
    _post(client, "the same text, no key")
    assert _find(client, "escalation-2-leads-1") is None
    [call] = standin.calls_to("conversations.history")
    assert call.args["include_all_metadata"] in (True, "1", "true")


def test_messages_from_before_the_send_are_not_read(
    client: WebClient, standin: SlackStandin
) -> None:
    _post(client, "the reminder", "escalation-2-leads-1")
    later = datetime.now(UTC) + CLOCK_SKEW + timedelta(seconds=5)
    found = find_keyed_message(client, channel=CHANNEL, key="escalation-2-leads-1", since=later)
    assert found is None
    [call] = standin.calls_to("conversations.history")
    assert float(call.args["oldest"]) == pytest.approx((later - CLOCK_SKEW).timestamp())


def test_at_most_max_pages_are_read(client: WebClient, standin: SlackStandin) -> None:
    oldest = _post(client, "the reminder", "escalation-3-overflow-1")
    for n in range(5):
        _post(client, f"chatter {n}")
    # Newest first, two a page: the keyed message is on the third page.
    assert _find(client, "escalation-3-overflow-1", page_size=2, max_pages=2) is None
    assert len(standin.calls_to("conversations.history")) == 2
    assert _find(client, "escalation-3-overflow-1", page_size=2, max_pages=3) == oldest
    assert len(standin.calls_to("conversations.history")) == 5


def test_the_keys_of_a_threads_replies_are_read_across_pages(
    client: WebClient, standin: SlackStandin
) -> None:
    parent = _post(client, "the digest", "digest@1")
    for n in range(5):
        key = f"digest@1#draft:{n}" if n != 2 else None
        metadata = keyed_metadata(REMINDER_EVENT, key) if key else None
        client.chat_postMessage(
            channel=CHANNEL, text=f"draft {n}", thread_ts=parent, metadata=metadata
        )
    keys = keys_in_thread(client, channel=CHANNEL, thread_ts=parent, page_size=2)
    assert keys == {
        "digest@1",
        "digest@1#draft:0",
        "digest@1#draft:1",
        "digest@1#draft:3",
        "digest@1#draft:4",
    }
    calls = standin.calls_to("conversations.replies")
    assert len(calls) == 3  # six messages, two per page
    assert all(call.args["include_all_metadata"] in (True, "1", "true") for call in calls)


def test_a_keyed_reply_is_found_in_its_thread(client: WebClient, standin: SlackStandin) -> None:
    parent = _post(client, "the customer's question")
    for n in range(4):
        client.chat_postMessage(
            channel=CHANNEL,
            text=f"reply {n}",
            thread_ts=parent,
            metadata=keyed_metadata(REPLY_EVENT, f"reply:{n}"),
        )
    replies = standin.messages_in(CHANNEL, parent)
    third = next(m["ts"] for m in replies if m.get("text") == "reply 2")
    found = find_keyed_reply(client, channel=CHANNEL, thread_ts=parent, key="reply:2", page_size=2)
    assert found == third
    assert find_keyed_reply(client, channel=CHANNEL, thread_ts=parent, key="reply:9") is None
