"""What every button handler needs from a ``block_actions`` payload, and how it answers the
person who clicked (privately: every refusal is visible to them, and only to them)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from app.db.engine import session_scope
from app.db.escalations import is_foreign_escalation
from app.runtime import Runtime
from app.slack.gateway import SlackConnection, SlackRefusedError, gateway_of
from app.slack.middleware.runtime import runtime_of

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Click:
    user_id: str
    user_team: str | None
    channel: str
    message_ts: str
    thread_ts: str | None
    message_blocks: list[dict[str, Any]]
    value: str


def click_of(body: dict[str, Any], action: dict[str, Any]) -> Click:
    user = body.get("user") or {}
    message = body.get("message") or {}
    container = body.get("container") or {}
    return Click(
        user_id=str(user.get("id") or ""),
        user_team=user.get("team_id"),
        channel=str((body.get("channel") or {}).get("id") or container.get("channel_id") or ""),
        message_ts=str(message.get("ts") or container.get("message_ts") or ""),
        thread_ts=message.get("thread_ts") or container.get("thread_ts"),
        message_blocks=list(message.get("blocks") or []),
        value=str(action.get("value") or ""),
    )


def tell(client: SlackConnection, click: Click, text: str) -> None:
    """An ephemeral message to the person who clicked, where they clicked."""
    try:
        gateway_of(client).post_ephemeral(
            channel=click.channel, user=click.user_id, text=text, thread_ts=click.thread_ts
        )
    except SlackRefusedError as refusal:
        logger.warning("ephemeral notice not shown: %s", refusal.error)


def id_or_refuse(client: SlackConnection, click: Click) -> int | None:
    """The record id a button carries in its value; a tampered or stale value is refused."""
    try:
        return int(click.value)
    except ValueError:
        tell(client, click, "This button is no longer valid.")
        return None


def foreign_escalation(runtime: Runtime, escalation_id: int) -> bool:
    """A button carrying another workspace's escalation (crafted, never one of our cards)."""
    with session_scope(runtime.engine) as session:
        return is_foreign_escalation(
            session=session, escalation_id=escalation_id, team_id=runtime.team.team_id
        )


def escalation_id_or_refuse(client: SlackConnection, click: Click, runtime: Runtime) -> int | None:
    """The escalation id a button carries, if it is one of this workspace's."""
    escalation_id = id_or_refuse(client, click)
    if escalation_id is not None and foreign_escalation(runtime, escalation_id):
        tell(client, click, "This button is no longer valid.")
        return None
    return escalation_id


def record_click(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> tuple[Click, int, Runtime] | None:
    """Acknowledge a button that carries a record id (a conversation, a rating …): the click,
    the id and the runtime, or None once a tampered or stale value has been refused."""
    ack()
    click = click_of(body, action)
    record_id = id_or_refuse(client, click)
    if record_id is None:
        return None
    return click, record_id, runtime_of(context)


def lead_click(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    *,
    refusal: str,
) -> tuple[Click, Runtime] | None:
    """Acknowledge a leads-only button: the click and the runtime, or None once anyone else has
    been told ``refusal``."""
    ack()
    click = click_of(body, action)
    runtime = runtime_of(context)
    if not runtime.config.is_lead(click.user_id):
        tell(client, click, refusal)
        return None
    return click, runtime
