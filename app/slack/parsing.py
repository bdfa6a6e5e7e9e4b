"""Slack payloads to domain objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.conversations.intake import IncomingMessage


def incoming_message(event: Mapping[str, Any]) -> IncomingMessage:
    """A ``message`` event as an IncomingMessage (missing fields become None / empty)."""
    text = event.get("text")
    return IncomingMessage(
        channel=str(event.get("channel") or ""),
        ts=str(event.get("ts") or ""),
        thread_ts=_opt_str(event.get("thread_ts")),
        user=_opt_str(event.get("user")),
        team=_opt_str(event.get("user_team") or event.get("team")),
        text=text if isinstance(text, str) else "",
        subtype=_opt_str(event.get("subtype")),
        bot_id=_opt_str(event.get("bot_id")),
        has_files=bool(event.get("files")),
    )


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
