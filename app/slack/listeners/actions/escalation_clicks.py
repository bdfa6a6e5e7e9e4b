"""Shared plumbing of the handoff-card buttons: who clicked, and a private answer to them."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)


def tell(
    client: WebClient, *, channel: str, user: str, text: str, thread_ts: str | None = None
) -> None:
    """An ephemeral message to the person who clicked (refusals are always visible)."""
    try:
        client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)
    except SlackApiError as exc:
        logger.warning("ephemeral notice not shown: %s", exc.response.get("error"))
