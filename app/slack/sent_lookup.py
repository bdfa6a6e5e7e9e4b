"""Our own messages marked with a key in their metadata, and finding one again in a channel's
recent history: how a worker that took over a half-done send tells whether its predecessor's
post reached Slack before it died."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from app.slack.gateway import MessagePage, SlackConnection, gateway_of

logger = logging.getLogger(__name__)

REMINDER_EVENT = "escalation_reminder"
CARD_EVENT = "handoff_card"
DIGEST_EVENT = "scheduled_digest"
REPLY_EVENT = "bot_reply"
MAX_PAGES = 5  # conversations.history pages read before giving up (the post is then sent)
PAGE_SIZE = 200
CLOCK_SKEW = timedelta(minutes=1)  # our clock against Slack's message timestamps


def keyed_metadata(event_type: str, key: str) -> dict[str, Any]:
    """The ``metadata`` argument of ``chat.postMessage`` carrying ``key``."""
    return {"event_type": event_type, "event_payload": {"key": key}}


def find_keyed_message(
    client: SlackConnection,
    *,
    channel: str,
    key: str,
    since: datetime,
    max_pages: int = MAX_PAGES,
    page_size: int = PAGE_SIZE,
) -> str | None:
    """The ts of the message in ``channel`` posted after ``since`` whose metadata carries
    ``key``, or None. Reads at most ``max_pages`` pages of ``page_size``, newest first."""
    oldest = f"{(since - CLOCK_SKEW).timestamp():.6f}"
    gateway = gateway_of(client)
    history = _messages(
        lambda cursor: gateway.history_page(
            channel=channel, oldest=oldest, limit=page_size, cursor=cursor
        ),
        max_pages=max_pages,
        channel=channel,
    )
    return next((ts for found, ts in history if found == key), None)


def find_keyed_reply(
    client: SlackConnection,
    *,
    channel: str,
    thread_ts: str,
    key: str,
    max_pages: int = MAX_PAGES,
    page_size: int = PAGE_SIZE,
) -> str | None:
    """The ts of the message in the thread whose metadata carries ``key``, or None."""
    replies = _thread(client, channel, thread_ts, max_pages=max_pages, page_size=page_size)
    return next((ts for found, ts in replies if found == key), None)


def keys_in_thread(
    client: SlackConnection,
    *,
    channel: str,
    thread_ts: str,
    max_pages: int = MAX_PAGES,
    page_size: int = PAGE_SIZE,
) -> set[str]:
    """The keys carried by a thread's messages (at most ``max_pages`` pages of ``page_size``)."""
    replies = _thread(client, channel, thread_ts, max_pages=max_pages, page_size=page_size)
    return {key for key, _ts in replies if key is not None}


def _thread(
    client: SlackConnection, channel: str, thread_ts: str, *, max_pages: int, page_size: int
) -> Iterator[tuple[str | None, str]]:
    gateway = gateway_of(client)
    return _messages(
        lambda cursor: gateway.replies_page(
            channel=channel, thread_ts=thread_ts, limit=page_size, cursor=cursor
        ),
        max_pages=max_pages,
        channel=channel,
    )


def _messages(
    read: Callable[[str | None], MessagePage], *, max_pages: int, channel: str
) -> Iterator[tuple[str | None, str]]:
    """(key or None, ts) of the messages of a cursor-paginated read, page after page, at most
    ``max_pages`` pages."""
    cursor: str | None = None
    for _ in range(max_pages):
        page = read(cursor)
        for message in page.messages:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            key = payload.get("key")
            yield (key if isinstance(key, str) else None), str(message.get("ts"))
        cursor = page.next_cursor
        if cursor is None:
            return
    logger.warning("stopped after %d pages of %s", max_pages, channel)
