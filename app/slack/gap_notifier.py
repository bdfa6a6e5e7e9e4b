"""The knowledge-gap jobs' :class:`~app.worker.knowledge_gap_jobs.Notifier` over the Web API."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_sdk.models.blocks import Block

from app.slack.agent_desk import permalink_or_none
from app.slack.gateway import SlackConnection, SlackRefusedError, gateway_of
from app.slack.sent_lookup import DIGEST_EVENT, keyed_metadata, keys_in_thread

logger = logging.getLogger(__name__)


class SlackGapNotifier:
    """Posts, links and updates messages; a Slack error is logged and reported as None/False
    so a job can leave its state unchanged and try again on its next run."""

    def __init__(self, client: SlackConnection) -> None:
        self._slack = gateway_of(client)

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
            posted = self._slack.post_message(
                channel=channel,
                text=text,
                blocks=blocks,
                thread_ts=thread_ts,
                unfurl_links=False,
                unfurl_media=False,
                metadata=keyed_metadata(DIGEST_EVENT, key) if key else None,
            )
        except SlackRefusedError as refusal:
            logger.warning("gap message not posted in %s: %s", channel, refusal.error)
            return None
        return posted.ts or None

    def keys_in_thread(self, *, channel: str, thread_ts: str) -> set[str] | None:
        try:
            return keys_in_thread(self._slack, channel=channel, thread_ts=thread_ts)
        except SlackRefusedError as refusal:
            logger.warning("thread %s/%s not read: %s", channel, thread_ts, refusal.error)
            return None

    def permalink(self, *, channel: str, ts: str) -> str | None:
        return permalink_or_none(self._slack, channel=channel, ts=ts)

    def update(self, *, channel: str, ts: str, text: str, blocks: Sequence[Block]) -> bool:
        try:
            self._slack.update_message(channel=channel, ts=ts, text=text, blocks=blocks)
        except SlackRefusedError as refusal:
            logger.warning("gap message %s not updated: %s", ts, refusal.error)
            return False
        return True
