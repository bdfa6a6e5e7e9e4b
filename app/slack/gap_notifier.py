"""The knowledge-gap jobs' :class:`~app.worker.knowledge_gap_jobs.Notifier` over the Web API."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block

from app.slack.sent_lookup import DIGEST_EVENT, keyed_metadata, keys_in_thread

logger = logging.getLogger(__name__)


class SlackGapNotifier:
    """Posts, links and updates messages; a Slack error is logged and reported as None/False
    so a job can leave its state unchanged and try again on its next run."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def post_blocks(
        self,
        *,
        channel: str,
        text: str,
        blocks: Sequence[Block],
        thread_ts: str | None = None,
        key: str | None = None,
    ) -> str | None:
        try:
            response = self._client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=[block.to_dict() for block in blocks],
                thread_ts=thread_ts,
                unfurl_links=False,
                unfurl_media=False,
                metadata=keyed_metadata(DIGEST_EVENT, key) if key else None,
            )
        except SlackApiError as exc:
            logger.warning("gap message not posted in %s: %s", channel, exc.response.get("error"))
            return None
        ts = response.get("ts")
        return str(ts) if ts else None

    def keys_in_thread(self, *, channel: str, thread_ts: str) -> set[str] | None:
        try:
            return keys_in_thread(self._client, channel=channel, thread_ts=thread_ts)
        except SlackApiError as exc:
            logger.warning(
                "thread %s/%s not read: %s", channel, thread_ts, exc.response.get("error")
            )
            return None

    def permalink(self, *, channel: str, ts: str) -> str | None:
        try:
            response = self._client.chat_getPermalink(channel=channel, message_ts=ts)
        except SlackApiError as exc:
            logger.warning("no permalink for %s/%s: %s", channel, ts, exc.response.get("error"))
            return None
        link = response.get("permalink")
        return str(link) if link else None

    def update(self, *, channel: str, ts: str, text: str, blocks: Sequence[Block]) -> bool:
        try:
            self._client.chat_update(
                channel=channel, ts=ts, text=text, blocks=[block.to_dict() for block in blocks]
            )
        except SlackApiError as exc:
            logger.warning("gap message %s not updated: %s", ts, exc.response.get("error"))
            return False
        return True
