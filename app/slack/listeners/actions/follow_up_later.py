""" "Follow up later" under the transition message: the customer need not wait in the thread."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from app.db.engine import session_scope
from app.db.models import Escalation, utcnow
from app.escalations.customer import follow_up_note
from app.escalations.handoff import refresh_cards
from app.escalations.service import follow_up_later as choose_follow_up_later
from app.messages import render
from app.runtime import Runtime
from app.slack.agent_desk import SlackAgentDesk
from app.slack.blocks.customer_handoff import follow_up_chosen_blocks
from app.slack.gateway import SlackConnection, SlackRefusedError, gateway_of
from app.slack.listeners.actions.clicks import Click, record_click, tell

logger = logging.getLogger(__name__)


def follow_up_later(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    pressed = record_click(ack, body, action, context, client)
    if pressed is None:
        return
    click, conversation_id, runtime = pressed
    result = choose_follow_up_later(
        engine=runtime.engine,
        config=runtime.config,
        conversation_id=conversation_id,
        user_id=click.user_id,
        user_team=click.user_team,
        now=utcnow(),
    )
    if not result.changed or result.escalation_id is None:
        tell(client, click, result.notice)
        return
    with session_scope(runtime.engine) as session:
        escalation = session.get(Escalation, result.escalation_id)
        language = escalation.language if escalation else "en"
    email_label = (
        render("follow_up.email_button", language=language, overrides=runtime.config.messages)
        if runtime.settings.smtp_url is not None
        else None
    )
    show_follow_up_choice(
        client,
        click,
        runtime,
        note=follow_up_note(runtime.config, language=language),
        email_label=email_label,
        conversation_id=conversation_id,
        escalation_id=result.escalation_id,
    )


def show_follow_up_choice(
    client: SlackConnection,
    click: Click,
    runtime: Runtime,
    *,
    note: str,
    email_label: str | None,
    conversation_id: int,
    escalation_id: int,
) -> None:
    """The transition message shows the choice (in place of its buttons); the cards too."""
    text = first_section_text(click.message_blocks)
    blocks = follow_up_chosen_blocks(
        text=text, note=note, email_label=email_label, conversation_id=conversation_id
    )
    slack = gateway_of(client)
    try:
        slack.update_message(
            channel=click.channel, ts=click.message_ts, text=text or note, blocks=blocks
        )
    except SlackRefusedError as refusal:
        logger.warning("transition message not updated: %s", refusal.error)
    refresh_cards(
        engine=runtime.engine,
        config=runtime.config,
        desk=SlackAgentDesk(slack),
        escalation_id=escalation_id,
    )


def first_section_text(blocks: list[dict[str, Any]]) -> str:
    for block in blocks:
        if block.get("type") == "section":
            return str((block.get("text") or {}).get("text") or "")
    return ""
