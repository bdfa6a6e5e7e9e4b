"""What every button handler needs from a ``block_actions`` payload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Click:
    user_id: str
    user_team: str | None
    channel: str
    message_ts: str
    thread_ts: str | None
    message_blocks: list[dict[str, Any]]
    value: str


def click_of(body: dict[str, Any], action: dict[str, Any]) -> Click:
    user = body.get("user") or {}
    message = body.get("message") or {}
    container = body.get("container") or {}
    return Click(
        user_id=str(user.get("id") or ""),
        user_team=user.get("team_id"),
        channel=str((body.get("channel") or {}).get("id") or container.get("channel_id") or ""),
        message_ts=str(message.get("ts") or container.get("message_ts") or ""),
        thread_ts=message.get("thread_ts") or container.get("thread_ts"),
        message_blocks=list(message.get("blocks") or []),
        value=str(action.get("value") or ""),
    )


def conversation_id_of(click: Click) -> int | None:
    try:
        return int(click.value)
    except ValueError:
        return None
