"""The one place that builds the Slack Web API client."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)

from app.config import Settings
from app.slack.channel_pacing import ChannelPacer, PacedRateLimitRetryHandler, PacedWebClient

WEB_API_TIMEOUT_SECONDS = 10


def build_web_client(settings: Settings, *, token: str | None = None) -> PacedWebClient:
    """A client for ``SLACK_API_URL`` that paces posts per channel, waits out 429s (``Retry-After``)
    and retries connection and 5xx errors."""
    if token is None and settings.slack_bot_token is not None:
        token = settings.slack_bot_token.get_secret_value()
    pacer = ChannelPacer()
    return PacedWebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=WEB_API_TIMEOUT_SECONDS,
        pacer=pacer,
        retry_handlers=[
            PacedRateLimitRetryHandler(pacer, max_retry_count=3),
            ConnectionErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )
