"""``/escalation-surge start PLAYBOOK [status-url] [note]``, ``/escalation-surge stop`` and
``/escalation-surge notify``: leads switch a surge playbook on and off (stopping posts the
post-surge review to the leads channel) and post its notice to the affected customers."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from app.db.engine import session_scope
from app.db.models import utcnow
from app.slack.middleware.runtime import runtime_of
from app.slack.surge_alerts import SlackSurgeAlerts
from app.slack.surge_notices import post_requested_notices
from app.surge.notices import request_notices
from app.surge.review import render_review, store_review
from app.surge.service import start_surge, stop_surge

USAGE = (
    "Usage: `/escalation-surge start outage|release|billing_cycle [status-url] [note]` "
    "or `/escalation-surge stop` or `/escalation-surge notify`"
)


def escalation_surge(
    ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    runtime = runtime_of(context)
    user_id = str(command.get("user_id") or "")
    if not runtime.config.is_lead(user_id):
        ack(text="Sorry, only support leads can start or stop a surge playbook.")
        return
    words = str(command.get("text") or "").split()
    if not words or words[0].lower() not in ("start", "stop", "notify"):
        ack(text=USAGE)
        return
    now = utcnow()
    if words[0].lower() == "notify":
        with session_scope(runtime.engine) as session:
            request = request_notices(
                session=session,
                config=runtime.config,
                team_id=runtime.team.team_id,
                requested_by=user_id,
                now=now,
            )
        ack(text=request.message)
        post_requested_notices(runtime=runtime, client=client, request=request)
        return
    if words[0].lower() == "start":
        if len(words) < 2:
            ack(text=USAGE)
            return
        url = words[2] if len(words) > 2 and words[2].startswith(("http://", "https://")) else None
        note = " ".join(words[3:] if url else words[2:]) or None
        with session_scope(runtime.engine) as session:
            change = start_surge(
                session=session,
                config=runtime.config,
                team_id=runtime.team.team_id,
                playbook=words[1].lower(),
                source="manual",
                started_by=user_id,
                status_url=url.strip("<>") if url else None,
                note=note,
                now=now,
            )
        ack(text=change.notice)
        if change.changed:
            playbook = runtime.config.surge.playbooks[words[1].lower()]
            SlackSurgeAlerts(client, channel=runtime.config.leads_channel).announce(
                f"<@{user_id}> {change.notice[0].lower()}{change.notice[1:]}",
                surge_id=change.surge_id,
                offer_notice=bool(playbook.notice),
            )
        return
    with session_scope(runtime.engine) as session:
        change = stop_surge(
            session=session, team_id=runtime.team.team_id, stopped_by=user_id, now=now
        )
    ack(text=change.notice)
    if not change.changed or change.surge_id is None:
        return
    with session_scope(runtime.engine) as session:
        review = store_review(session=session, surge_id=change.surge_id, now=now)
    _announce(client, runtime.config.leads_channel, render_review(review))


def _announce(client: WebClient, channel: str, text: str) -> None:
    SlackSurgeAlerts(client, channel=channel).announce(text)
