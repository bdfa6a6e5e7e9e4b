""" "Add a comment" after rating: opens a small modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from app.slack.blocks.csat import comment_modal
from app.slack.gateway import SlackGateway, SlackRefusedError
from app.slack.listeners.actions.clicks import record_click, tell


def csat_comment(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    pressed = record_click(ack, body, action, context, client)
    if pressed is None:
        return
    click, rating_id, _ = pressed
    try:
        SlackGateway(client).open_view(
            trigger_id=str(body.get("trigger_id") or ""), view=comment_modal(rating_id)
        )
    except SlackRefusedError as refusal:
        tell(client, click, f"I couldn't open the comment form ({refusal.error}).")
