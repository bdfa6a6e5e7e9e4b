"""The resolution modal is submitted: close the escalation (and file its bug report when the bug
flag is ticked, in the same transaction), update the card, tell the customer."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from sqlmodel import Session

from app.bugs.service import Filed, file_bug_report
from app.db.models import utcnow
from app.escalations.lifecycle import after_change
from app.escalations.service import resolve
from app.integrations.trackers import bug_trackers
from app.slack.agent_desk import SlackAgentDesk
from app.slack.blocks.resolve_modal import (
    BUG_BLOCK,
    parse_bug_flag,
    parse_resolve_submission,
    resolve_errors,
)
from app.slack.bug_reports import customer_thread_url
from app.slack.listeners.actions.clicks import foreign_escalation
from app.slack.middleware.runtime import runtime_of
from app.slack.thread_notice_sender import ThreadNoticeSender


def resolve_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    values = (view.get("state") or {}).get("values") or {}
    tag, note = parse_resolve_submission(values)
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
    filed: list[Filed] = []
    and_then = None
    if parse_bug_flag(values):
        trackers = bug_trackers(runtime.settings, runtime.config)
        if not trackers.enabled:
            ack(response_action="errors", errors={BUG_BLOCK: "No bug tracker is set up."})
            return
        thread_url = customer_thread_url(runtime.engine, escalation_id)

        def and_then(session: Session) -> None:
            filed.append(
                file_bug_report(
                    session=session,
                    config=runtime.config,
                    trackers=trackers,
                    escalation_id=escalation_id,
                    user_id=user_id,
                    source="resolve",
                    thread_url=thread_url,
                    now=utcnow(),
                    note=note,
                )
            )

    result = resolve(
        engine=runtime.engine,
        config=runtime.config,
        escalation_id=escalation_id,
        user_id=user_id,
        tag=tag,
        note=note,
        now=utcnow(),
        and_then=and_then,
    )
    if not result.changed:
        ack(response_action="errors", errors={"tag": result.notice})
        return
    ack()
    after_change(
        engine=runtime.engine,
        config=runtime.config,
        desk=SlackAgentDesk(client),
        notices=ThreadNoticeSender(client),
        escalation_id=escalation_id,
    )
