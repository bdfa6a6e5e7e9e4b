"""Delivers ``slack.alert`` outbox rows: one message in the alert's channel."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.integrations.delivery import Delivered, PermanentError, RetryableError
from app.slack.blocks.team_alert import team_alert_blocks, team_alert_text

#: Slack errors that a retry can cure (everything else is a bad channel, a missing scope, ...).
RETRYABLE = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable"})


class SlackAlertSender:
    def __init__(self, client: WebClient) -> None:
        self._client = client

    def __call__(self, payload: dict[str, Any], idempotency_key: str) -> Delivered:
        channel = str(payload["channel"])
        try:
            response = self._client.chat_postMessage(
                channel=channel,
                text=team_alert_text(payload),
                blocks=team_alert_blocks(payload),
                unfurl_links=False,
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error", "error"))
            if error in RETRYABLE or exc.response.status_code >= 500:
                raise RetryableError(f"Slack answered {error}") from None
            raise PermanentError(f"Slack answered {error} for channel {channel}") from None
        return Delivered(external_id=f"{channel}:{response['ts']}")
