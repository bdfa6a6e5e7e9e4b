"""Delivers ``slack.alert`` outbox rows: one message in the alert's channel, posted with the
token of the installation the alert belongs to (its ``team_id``)."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.delivery.outcomes import Delivered
from app.slack.blocks.team_alert import team_alert_blocks, team_alert_text
from app.slack.delivery_errors import client_for, delivery_error
from app.slack.workspaces import ClientForTeam


class SlackAlertSender:
    """With one client (a single bot token) every alert goes out with it; with a lookup by team
    (OAuth installs) each goes out with its installation's token."""

    def __init__(self, client: WebClient | ClientForTeam) -> None:
        self._client = client

    def __call__(self, payload: dict[str, Any], idempotency_key: str) -> Delivered:
        channel = str(payload["channel"])
        client = client_for(self._client, payload.get("team_id"), where=channel)
        try:
            response = client.chat_postMessage(
                channel=channel,
                text=team_alert_text(payload),
                blocks=team_alert_blocks(payload),
                unfurl_links=False,
            )
        except SlackApiError as exc:
            raise delivery_error(exc, where=channel) from None
        return Delivered(external_id=f"{channel}:{response['ts']}")
