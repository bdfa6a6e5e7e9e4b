"""Surge alerts to the leads channel, with a one-click start of the outage playbook."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    SectionBlock,
)

from app.surge.detector import SurgeSignal

logger = logging.getLogger(__name__)

START_PLAYBOOK_ACTION = "start_surge_playbook"


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
    return blocks


class SlackSurgeAlerts:
    def __init__(self, client: WebClient, *, channel: str) -> None:
        self._client = client
        self._channel = channel

    def alert(self, *, signals: list[SurgeSignal], started_surge_id: int | None) -> None:
        blocks = surge_alert_blocks(signals, started_surge_id=started_surge_id)
        try:
            self._client.chat_postMessage(
                channel=self._channel,
                text="Possible surge: " + "; ".join(s.reason for s in signals[:3]),
                blocks=[block.to_dict() for block in blocks],
            )
        except SlackApiError as exc:
            logger.warning("surge alert not posted: %s", exc.response.get("error"))

    def announce(self, text: str) -> None:
        """A plain line for the leads: a playbook started or stopped, a review."""
        try:
            self._client.chat_postMessage(channel=self._channel, text=text, unfurl_links=False)
        except SlackApiError as exc:
            logger.warning("surge notice not posted: %s", exc.response.get("error"))
