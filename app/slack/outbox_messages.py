"""The outbox's Slack sender: alerts to team channels, posted once each (the outbox row's key)."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.bugs.trackers import SLACK_MESSAGE_KIND
from app.integrations.delivery import Delivered, PermanentError, RetryableError
from app.slack.blocks.bug_report import alert_text

KIND = SLACK_MESSAGE_KIND
RETRYABLE = {
    "ratelimited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
}


class SlackMessageSender:
    """Posts ``alert_text(payload)`` to ``payload["channel"]``."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def __call__(self, payload: dict[str, Any], idempotency_key: str) -> Delivered:
        try:
            text = alert_text(payload)
        except (KeyError, ValueError, TypeError) as exc:
            raise PermanentError(f"not an alert: {exc}") from None
        try:
            response = self._client.chat_postMessage(
                channel=str(payload["channel"]), text=text, unfurl_links=False
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if error in RETRYABLE:
                raise RetryableError(f"Slack answered {error}") from None
            raise PermanentError(f"Slack answered {error}") from None
        return Delivered(external_id=f"{response.get('channel')}/{response.get('ts')}")
