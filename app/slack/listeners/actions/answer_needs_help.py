""" "I still need help" under a bot answer: escalate with the repeat trigger."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from app.conversations.feedback import request_human
from app.conversations.flow import record_reply, reply_key
from app.escalations.handoff import post_card
from app.slack.agent_desk import SlackAgentDesk
from app.slack.blocks.answer import answer_closed_blocks
from app.slack.gateway import SlackGateway, SlackRefusedError
from app.slack.identity import bot_identity
from app.slack.listeners.actions.clicks import record_click, tell
from app.slack.replier import SlackThreadReplier

logger = logging.getLogger(__name__)


def answer_needs_help(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    pressed = record_click(ack, body, action, context, client)
    if pressed is None:
        return
    click, conversation_id, runtime = pressed
    result = request_human(
        engine=runtime.engine,
        config=runtime.config,
        conversation_id=conversation_id,
        user_id=click.user_id,
        user_team=click.user_team,
    )
    if not result.changed or result.handoff is None:
        tell(client, click, result.notice)
        return
    note = f"<@{click.user_id}> asked for more help."
    slack = SlackGateway(client)
    try:
        slack.update_message(
            channel=click.channel,
            ts=click.message_ts,
            text=note,
            blocks=answer_closed_blocks(click.message_blocks, note=note),
        )
    except SlackRefusedError as refusal:
        logger.warning("answer %s not updated: %s", click.message_ts, refusal.error)
    posted = SlackThreadReplier(slack).post_reply(
        channel=result.channel,
        thread_ts=result.thread_ts,
        reply=result.handoff,
        key=reply_key(result.decision_id),
    )
    record_reply(
        engine=runtime.engine,
        decision_id=result.decision_id,
        conversation_id=conversation_id,
        posted=posted,
        bot=bot_identity(context),
    )
    if result.escalation_id is not None:
        post_card(
            engine=runtime.engine,
            config=runtime.config,
            desk=SlackAgentDesk(slack),
            escalation_id=result.escalation_id,
        )
