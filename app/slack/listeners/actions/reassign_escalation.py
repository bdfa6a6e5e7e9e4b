"""**Reassign** on a card: another skill's channel takes it over, unclaimed, with a fresh window."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from app.db.models import utcnow
from app.escalations.handoff import post_card
from app.escalations.service import reassign
from app.slack.agent_desk import SlackAgentDesk
from app.slack.blocks.handoff_card import parse_reassign_block_id
from app.slack.listeners.actions.clicks import click_of, foreign_escalation, tell
from app.slack.middleware.runtime import runtime_of


def reassign_escalation(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    ack()
    click = click_of(body, action)
    escalation_id = parse_reassign_block_id(str(action.get("block_id") or ""))
    skill = str((action.get("selected_option") or {}).get("value") or "")
    runtime = runtime_of(context)
    if escalation_id is None or not skill or foreign_escalation(runtime, escalation_id):
        tell(client, click, "This card is no longer valid.")
        return
    result = reassign(
        engine=runtime.engine,
        config=runtime.config,
        escalation_id=escalation_id,
        user_id=click.user_id,
        skill=skill,
        now=utcnow(),
    )
    if not result.changed:
        tell(client, click, result.notice)
        return
    desk = SlackAgentDesk(client)
    new_ts = post_card(
        engine=runtime.engine, config=runtime.config, desk=desk, escalation_id=escalation_id
    )
    desk.retire_card(
        channel=click.channel,
        ts=click.message_ts,
        text=f"<@{click.user_id}> reassigned this escalation to {skill}"
        + ("." if new_ts else "; its card will be posted shortly."),
    )
