"""Surge alerts to the leads channel, with a one-click start of the outage playbook."""

from __future__ import annotations

import logging

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    SectionBlock,
)

from app.slack.gateway import SlackConnection, SlackRefusedError, gateway_of
from app.surge.detector import SurgeSignal

logger = logging.getLogger(__name__)

START_PLAYBOOK_ACTION = "start_surge_playbook"
NOTIFY_CUSTOMERS_ACTION = "notify_surge_customers"


def notify_button(surge_id: int) -> ButtonElement:
    return ButtonElement(
        text="Notify affected customers",
        action_id=NOTIFY_CUSTOMERS_ACTION,
        value=str(surge_id),
    )


def surge_started_blocks(text: str, *, surge_id: int | None, offer_notice: bool) -> list[Block]:
    """A start announcement; with the one-click customer notice when the playbook has one."""
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=text[:3000]))]
    if offer_notice and surge_id is not None:
        blocks.append(ActionsBlock(elements=[notify_button(surge_id)]))
    return blocks


def surge_alert_blocks(signals: list[SurgeSignal], *, started_surge_id: int | None) -> list[Block]:
    lines = "\n".join(f"• {signal.reason}" for signal in signals[:8])
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(text=f":rotating_light: *Possible surge*\n{lines}"[:3000])
        )
    ]
    if started_surge_id is None:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Start outage playbook",
                        action_id=START_PLAYBOOK_ACTION,
                        value="outage",
                        style="danger",
                    )
                ]
            )
        )
    else:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"The outage playbook started automatically (surge #{started_surge_id}). "
                    "Stop it with `/escalation-surge stop`."
                )
            )
        )
        blocks.append(ActionsBlock(elements=[notify_button(started_surge_id)]))
    return blocks


class SlackSurgeAlerts:
    def __init__(self, client: SlackConnection, *, channel: str) -> None:
        self._slack = gateway_of(client)
        self._channel = channel

    def alert(self, *, signals: list[SurgeSignal], started_surge_id: int | None) -> None:
        blocks = surge_alert_blocks(signals, started_surge_id=started_surge_id)
        try:
            self._slack.post_message(
                channel=self._channel,
                text="Possible surge: " + "; ".join(s.reason for s in signals[:3]),
                blocks=blocks,
            )
        except SlackRefusedError as refusal:
            logger.warning("surge alert not posted: %s", refusal.error)

    def announce(
        self, text: str, *, surge_id: int | None = None, offer_notice: bool = False
    ) -> None:
        """A line for the leads: a playbook started (with the customer notice button when it
        has one) or stopped, a review, how the notices went."""
        blocks = surge_started_blocks(text, surge_id=surge_id, offer_notice=offer_notice)
        try:
            self._slack.post_message(
                channel=self._channel, text=text, blocks=blocks, unfurl_links=False
            )
        except SlackRefusedError as refusal:
            logger.warning("surge notice not posted: %s", refusal.error)
