""" "Add a comment" after rating: opens a small modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.slack.blocks.csat import comment_modal
from app.slack.listeners.actions.clicks import click_of, conversation_id_of
from app.slack.listeners.actions.escalation_clicks import tell


def csat_comment(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    ack()
    click = click_of(body, action)
    rating_id = conversation_id_of(click)  # the button's value is the rating id
    if rating_id is None:
        tell(
            client,
            channel=click.channel,
            user=click.user_id,
            text="This survey is no longer valid.",
        )
        return
    try:
        client.views_open(
            trigger_id=str(body.get("trigger_id") or ""), view=comment_modal(rating_id).to_dict()
        )
    except SlackApiError as exc:
        tell(
            client,
            channel=click.channel,
            user=click.user_id,
            text=f"I couldn't open the comment form ({exc.response.get('error')}).",
        )
