""" "That solved it" under a bot answer: the conversation is contained."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from app.conversations.feedback import mark_solved
from app.csat.service import AI
from app.escalations.lifecycle import send_survey
from app.slack.blocks.answer import answer_closed_blocks
from app.slack.gateway import SlackGateway, SlackRefusedError
from app.slack.listeners.actions.clicks import record_click, tell
from app.slack.thread_notice_sender import ThreadNoticeSender

logger = logging.getLogger(__name__)


def answer_solved(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    pressed = record_click(ack, body, action, context, client)
    if pressed is None:
        return
    click, conversation_id, runtime = pressed
    result = mark_solved(
        engine=runtime.engine,
        conversation_id=conversation_id,
        user_id=click.user_id,
        user_team=click.user_team,
    )
    if not result.changed:
        tell(client, click, result.notice)
        return
    note = f"<@{click.user_id}> marked this as solved. Glad it helped!"
    blocks = answer_closed_blocks(click.message_blocks, note=note)
    slack = SlackGateway(client)
    try:
        slack.update_message(channel=click.channel, ts=click.message_ts, text=note, blocks=blocks)
    except SlackRefusedError as refusal:
        logger.warning("answer %s not updated: %s", click.message_ts, refusal.error)
    send_survey(
        engine=runtime.engine,
        config=runtime.config,
        notices=ThreadNoticeSender(slack),
        kind=AI,
        conversation_id=conversation_id,
    )
