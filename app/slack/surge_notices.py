"""Posts a surge's customer notice into a customer channel."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.slack.blocks.customer_handoff import plain_message_blocks
from app.slack.mrkdwn import escape
from app.surge.notices import NoticeRefusedError

# Errors that will not go away by trying again.
PERMANENT = frozenset(
    {"channel_not_found", "not_in_channel", "is_archived", "restricted_action", "invalid_blocks"}
)


class SlackNoticePoster:
    def __init__(self, client: WebClient) -> None:
        self._client = client  # its RateLimitErrorRetryHandler honours Retry-After on 429s

    def post_notice(self, *, channel: str, text: str) -> str:
        safe = escape(text)
        try:
            response = self._client.chat_postMessage(
                channel=channel,
                text=safe,
                blocks=[block.to_dict() for block in plain_message_blocks(safe)],
                unfurl_links=False,
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "error")
            raise NoticeRefusedError(error, permanent=error in PERMANENT) from None
        return str(response["ts"])
