"""The agent side of a hand-off over the Web API: cards and notices in internal channels."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.escalations.card import HandoffCard
from app.escalations.handoff import ChannelUnavailableError
from app.slack.blocks.handoff_card import handoff_card_blocks, handoff_card_text
from app.slack.sent_lookup import CARD_EVENT, REMINDER_EVENT, find_keyed_message, keyed_metadata

logger = logging.getLogger(__name__)

UNAVAILABLE = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


class SlackAgentDesk:
    def __init__(self, client: WebClient) -> None:
        self._client = client

    def permalink(self, *, channel: str, ts: str) -> str | None:
        try:
            response = self._client.chat_getPermalink(channel=channel, message_ts=ts)
        except SlackApiError as exc:
            logger.warning("no permalink for %s/%s: %s", channel, ts, exc.response.get("error"))
            return None
        link = response.get("permalink")
        return str(link) if link else None

    def post_card(self, *, channel: str, card: HandoffCard, key: str | None = None) -> str:
        try:
            response = self._client.chat_postMessage(
                channel=channel,
                text=handoff_card_text(card),
                blocks=[block.to_dict() for block in handoff_card_blocks(card)],
                unfurl_links=False,
                unfurl_media=False,
                metadata=keyed_metadata(CARD_EVENT, key) if key else None,
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if error in UNAVAILABLE:
                raise ChannelUnavailableError(channel, error) from exc
            raise
        return str(response["ts"])

    def update_card(self, *, channel: str, ts: str, card: HandoffCard) -> None:
        try:
            self._client.chat_update(
                channel=channel,
                ts=ts,
                text=handoff_card_text(card),
                blocks=[block.to_dict() for block in handoff_card_blocks(card)],
            )
        except SlackApiError as exc:
            logger.warning("card %s not updated: %s", ts, exc.response.get("error"))

    def retire_card(self, *, channel: str, ts: str, text: str) -> None:
        """Replace a card that no longer applies (moved elsewhere) by a one-line note."""
        try:
            self._client.chat_update(channel=channel, ts=ts, text=text, blocks=[])
        except SlackApiError as exc:
            logger.warning("card %s not retired: %s", ts, exc.response.get("error"))

    def post_notice(self, *, channel: str, text: str, key: str | None = None) -> str:
        response = self._client.chat_postMessage(
            channel=channel,
            text=text,
            unfurl_links=False,
            metadata=keyed_metadata(REMINDER_EVENT, key) if key else None,
        )
        return str(response["ts"])

    def find_sent(self, *, channel: str, key: str, since: datetime) -> str | None:
        """The ts of a reminder carrying ``key`` posted in ``channel`` after ``since``."""
        return find_keyed_message(self._client, channel=channel, key=key, since=since)
