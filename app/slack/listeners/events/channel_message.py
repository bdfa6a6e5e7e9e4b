"""A message in a channel the bot is in (acknowledged by Bolt before this runs)."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from app.slack.event_processing import RECEIVED_AT, process_event
from app.slack.identity import bot_identity
from app.slack.middleware.runtime import runtime_of


def channel_message(body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    process_event(
        runtime=runtime_of(context),
        client=client,
        bot=bot_identity(context),
        event_id=body.get("event_id"),
        event=body.get("event") or {},
        received_at=context.get(RECEIVED_AT),
    )
