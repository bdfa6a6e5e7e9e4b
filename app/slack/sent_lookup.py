"""Our own messages marked with a key in their metadata, and finding one again in a channel's
recent history: how a worker that took over a half-done send tells whether its predecessor's
post reached Slack before it died."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient

logger = logging.getLogger(__name__)

REMINDER_EVENT = "escalation_reminder"
DIGEST_EVENT = "scheduled_digest"
MAX_PAGES = 5  # conversations.history pages read before giving up (the post is then sent)
PAGE_SIZE = 200
CLOCK_SKEW = timedelta(minutes=1)  # our clock against Slack's message timestamps


def keyed_metadata(event_type: str, key: str) -> dict[str, Any]:
    """The ``metadata`` argument of ``chat.postMessage`` carrying ``key``."""
    return {"event_type": event_type, "event_payload": {"key": key}}


def find_keyed_message(
    client: WebClient,
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
    cursor: str | None = None
    for _ in range(max_pages):
        response = client.conversations_history(
            channel=channel,
            oldest=oldest,
            include_all_metadata=True,
            limit=page_size,
            cursor=cursor,
        )
        for message in response.get("messages") or []:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("key") == key:
                return str(message["ts"])
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if cursor is None:
            return None
    logger.warning("%s not found in the last %d pages of %s", key, max_pages, channel)
    return None


def keys_in_thread(
    client: WebClient,
    *,
    channel: str,
    thread_ts: str,
    max_pages: int = MAX_PAGES,
    page_size: int = PAGE_SIZE,
) -> set[str]:
    """The keys carried by a thread's messages (at most ``max_pages`` pages of ``page_size``)."""
    keys: set[str] = set()
    cursor: str | None = None
    for _ in range(max_pages):
        response = client.conversations_replies(
            channel=channel,
            ts=thread_ts,
            include_all_metadata=True,
            limit=page_size,
            cursor=cursor,
        )
        for message in response.get("messages") or []:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if isinstance(payload.get("key"), str):
                keys.add(payload["key"])
        cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        if cursor is None:
            return keys
    logger.warning(
        "thread %s/%s longer than %d pages: keys read so far", channel, thread_ts, max_pages
    )
    return keys
