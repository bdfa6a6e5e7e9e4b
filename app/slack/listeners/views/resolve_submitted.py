"""The resolution modal is submitted: close the escalation, update the card, tell the customer."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from app.db.models import utcnow
from app.escalations.lifecycle import after_resolve
from app.escalations.service import resolve
from app.slack.agent_desk import SlackAgentDesk
from app.slack.blocks.resolve_modal import parse_resolve_submission, resolve_errors
from app.slack.listeners.actions.clicks import foreign_escalation
from app.slack.middleware.runtime import runtime_of
from app.slack.replier import SlackThreadReplier


def resolve_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    tag, note = parse_resolve_submission((view.get("state") or {}).get("values") or {})
    errors = resolve_errors(tag)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    try:
        escalation_id = int(str(view.get("private_metadata") or ""))
    except ValueError:
        escalation_id = None
    runtime = runtime_of(context)
    if escalation_id is None or foreign_escalation(runtime, escalation_id):
        ack(response_action="errors", errors={"tag": "This form is no longer valid."})
        return
    user_id = str((body.get("user") or {}).get("id") or "")
    assert tag is not None
    result = resolve(
        engine=runtime.engine,
        config=runtime.config,
        escalation_id=escalation_id,
        user_id=user_id,
        tag=tag,
        note=note,
        now=utcnow(),
    )
    if not result.changed:
        ack(response_action="errors", errors={"tag": result.notice})
        return
    ack()
    after_resolve(
        engine=runtime.engine,
        config=runtime.config,
        desk=SlackAgentDesk(client),
        poster=SlackThreadReplier(client),
        escalation_id=escalation_id,
    )
