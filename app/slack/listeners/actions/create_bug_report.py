"""**Create bug report** on a handoff card: agents only; the report and its outbox events are
stored together, the trackers get them from the worker."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from app.bugs.service import file_bug_report
from app.db.engine import session_scope
from app.db.models import Escalation, utcnow
from app.escalations.handoff import refresh_cards
from app.integrations.trackers import bug_trackers
from app.slack.agent_desk import SlackAgentDesk
from app.slack.bug_reports import customer_thread_url
from app.slack.listeners.actions.clicks import record_click, tell


def create_bug_report(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    pressed = record_click(ack, body, action, context, client)
    if pressed is None:
        return
    click, escalation_id, runtime = pressed
    if not runtime.config.is_agent(click.user_id):
        tell(client, click, "Only support agents can file bug reports.")
        return
    trackers = bug_trackers(runtime.settings, runtime.config)
    if not trackers.enabled:
        tell(client, click, "No bug tracker is set up, so I can't file a bug report.")
        return
    with session_scope(runtime.engine) as session:
        exists = session.get(Escalation, escalation_id) is not None
    if not exists:
        tell(client, click, "This escalation no longer exists.")
        return
    desk = SlackAgentDesk(client)
    thread_url = customer_thread_url(runtime.engine, escalation_id)
    with session_scope(runtime.engine) as session:
        filed = file_bug_report(
            session=session,
            config=runtime.config,
            trackers=trackers,
            escalation_id=escalation_id,
            user_id=click.user_id,
            source="button",
            thread_url=thread_url,
            now=utcnow(),
        )
    tell(client, click, filed.notice)
    refresh_cards(
        engine=runtime.engine, config=runtime.config, desk=desk, escalation_id=escalation_id
    )
