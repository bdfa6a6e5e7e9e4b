"""The agent side of a hand-off over the Web API: cards and notices in internal channels."""

from __future__ import annotations

import logging
from datetime import datetime

from app.escalations.card import HandoffCard
from app.escalations.handoff import ChannelUnavailableError
from app.slack.blocks.handoff_card import handoff_card_blocks, handoff_card_text
from app.slack.gateway import SlackConnection, SlackGateway, SlackRefusedError, gateway_of
from app.slack.sent_lookup import CARD_EVENT, REMINDER_EVENT, find_keyed_message, keyed_metadata

logger = logging.getLogger(__name__)

UNAVAILABLE = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


class SlackAgentDesk:
    def __init__(self, client: SlackConnection) -> None:
        self._slack = gateway_of(client)

    def permalink(self, *, channel: str, ts: str) -> str | None:
        return permalink_or_none(self._slack, channel=channel, ts=ts)

    def post_card(self, *, channel: str, card: HandoffCard, key: str | None = None) -> str:
        try:
            posted = self._slack.post_message(
                channel=channel,
                text=handoff_card_text(card),
                blocks=handoff_card_blocks(card),
                unfurl_links=False,
                unfurl_media=False,
                metadata=keyed_metadata(CARD_EVENT, key) if key else None,
            )
        except SlackRefusedError as refusal:
            if refusal.error in UNAVAILABLE:
                raise ChannelUnavailableError(channel, refusal.error) from refusal
            raise
        return posted.ts

    def update_card(self, *, channel: str, ts: str, card: HandoffCard) -> None:
        try:
            self._slack.update_message(
                channel=channel,
                ts=ts,
                text=handoff_card_text(card),
                blocks=handoff_card_blocks(card),
            )
        except SlackRefusedError as refusal:
            logger.warning("card %s not updated: %s", ts, refusal.error)

    def retire_card(self, *, channel: str, ts: str, text: str) -> None:
        """Replace a card that no longer applies (moved elsewhere) by a one-line note."""
        try:
            self._slack.update_message(channel=channel, ts=ts, text=text, blocks=[])
        except SlackRefusedError as refusal:
            logger.warning("card %s not retired: %s", ts, refusal.error)

    def post_notice(self, *, channel: str, text: str, key: str | None = None) -> str:
        return self._slack.post_message(
            channel=channel,
            text=text,
            unfurl_links=False,
            metadata=keyed_metadata(REMINDER_EVENT, key) if key else None,
        ).ts

    def find_sent(self, *, channel: str, key: str, since: datetime) -> str | None:
        """The ts of a reminder carrying ``key`` posted in ``channel`` after ``since``."""
        return find_keyed_message(self._slack, channel=channel, key=key, since=since)


def permalink_or_none(slack: SlackGateway, *, channel: str, ts: str) -> str | None:
    """A message's permalink; None, with a warning logged, when Slack has none to give."""
    try:
        return slack.permalink(channel=channel, ts=ts)
    except SlackRefusedError as refusal:
        logger.warning("no permalink for %s/%s: %s", channel, ts, refusal.error)
        return None
