"""Delivers ``slack.alert`` outbox rows: one message in the alert's channel, posted with the
token of the installation the alert belongs to (its ``team_id``)."""

from __future__ import annotations

from typing import Any

from app.delivery.outcomes import Delivered
from app.slack.blocks.team_alert import team_alert_blocks, team_alert_text
from app.slack.gateway import ClientForTeam, SlackConnection, delivering_to, gateway_for


class SlackAlertSender:
    """With one client (a single bot token) every alert goes out with it; with a lookup by team
    (OAuth installs) each goes out with its installation's token."""

    def __init__(self, client: SlackConnection | ClientForTeam) -> None:
        self._client = client

    def __call__(self, payload: dict[str, Any], idempotency_key: str) -> Delivered:
        channel = str(payload["channel"])
        slack = gateway_for(self._client, payload.get("team_id"), where=channel)
        with delivering_to(channel):
            posted = slack.post_message(
                channel=channel,
                text=team_alert_text(payload),
                blocks=team_alert_blocks(payload),
                unfurl_links=False,
            )
        return Delivered(external_id=f"{channel}:{posted.ts}")
