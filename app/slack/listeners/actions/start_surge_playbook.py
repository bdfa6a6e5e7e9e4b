""" "Start outage playbook" on a surge alert (leads only)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from app.db.engine import session_scope
from app.db.models import utcnow
from app.slack.listeners.actions.clicks import lead_click, tell
from app.slack.surge_alerts import SlackSurgeAlerts
from app.surge.service import start_surge


def start_surge_playbook(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    lead = lead_click(
        ack, body, action, context, client, refusal="Only support leads can start a surge playbook."
    )
    if lead is None:
        return
    click, runtime = lead
    with session_scope(runtime.engine) as session:
        change = start_surge(
            session=session,
            config=runtime.config,
            team_id=runtime.team.team_id,
            playbook=click.value or "outage",
            source="manual",
            started_by=click.user_id,
            status_url=None,
            note=None,
            now=utcnow(),
        )
    tell(client, click, change.notice)
    if change.changed:
        playbook = runtime.config.surge.playbooks.get(click.value or "outage")
        SlackSurgeAlerts(client, channel=runtime.config.leads_channel).announce(
            f"<@{click.user_id}> {change.notice[0].lower()}{change.notice[1:]}",
            surge_id=change.surge_id,
            offer_notice=bool(playbook and playbook.notice),
        )
