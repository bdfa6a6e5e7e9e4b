"""**Claim** on a handoff card: one owner, however many agents click at once."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from app.db.models import utcnow
from app.escalations.lifecycle import after_change
from app.escalations.live_wait import after_queue_moved
from app.escalations.service import claim
from app.slack.agent_desk import SlackAgentDesk
from app.slack.listeners.actions.clicks import click_of, escalation_id_or_refuse, tell
from app.slack.middleware.runtime import runtime_of
from app.slack.replier import SlackThreadReplier
from app.slack.thread_notice_sender import ThreadNoticeSender


def claim_escalation(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    ack()
    click = click_of(body, action)
    runtime = runtime_of(context)
    escalation_id = escalation_id_or_refuse(client, click, runtime)
    if escalation_id is None:
        return
    result = claim(
        engine=runtime.engine,
        config=runtime.config,
        escalation_id=escalation_id,
        user_id=click.user_id,
        now=utcnow(),
    )
    if not result.changed:
        tell(client, click, result.notice)
        return
    replier = SlackThreadReplier(client)
    after_change(
        engine=runtime.engine,
        config=runtime.config,
        desk=SlackAgentDesk(client),
        notices=ThreadNoticeSender(client),
        escalation_id=escalation_id,
    )
    # The queue moved: the customer's own wait line goes, the others' shorten.
    after_queue_moved(
        engine=runtime.engine,
        config=runtime.config,
        editor=replier,
        escalation_id=escalation_id,
        now=utcnow(),
    )
