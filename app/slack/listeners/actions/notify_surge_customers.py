""" "Notify affected customers" on a surge start announcement (leads only): queues the running
playbook's notice for every affected customer channel and posts them after the ack (the outbox
sweep posts what this process leaves)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from app.db.engine import session_scope
from app.db.models import utcnow
from app.slack.listeners.actions.clicks import lead_click, tell
from app.slack.surge_notices import post_requested_notices
from app.surge.notices import request_notices


def notify_surge_customers(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    lead = lead_click(
        ack,
        body,
        action,
        context,
        client,
        refusal="Only support leads can notify customers about a surge.",
    )
    if lead is None:
        return
    click, runtime = lead
    if not click.value.isdigit():
        tell(client, click, "This button does not name a surge.")
        return
    with session_scope(runtime.engine) as session:
        request = request_notices(
            session=session,
            config=runtime.config,
            team_id=runtime.team.team_id,
            requested_by=click.user_id,
            now=utcnow(),
            surge_id=int(click.value),
        )
    tell(client, click, request.message)
    post_requested_notices(runtime=runtime, client=client, request=request)
