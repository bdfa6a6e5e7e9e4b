"""The App Home tab: a short status view for whoever opens it."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.db.engine import session_scope
from app.db.events import finish_event
from app.metrics.activity import activity_summary
from app.slack.blocks.home import home_view
from app.slack.middleware.runtime import runtime_of

logger = logging.getLogger(__name__)


def app_home_opened(
    body: dict[str, Any], event: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    if event.get("tab") not in (None, "home"):
        return
    runtime = runtime_of(context)
    user_id = str(event.get("user") or "")
    config = runtime.config
    role = "lead" if config.is_lead(user_id) else "agent" if config.is_agent(user_id) else "member"
    with session_scope(runtime.engine) as session:
        summary = activity_summary(session=session, days=7)
        if body.get("event_id"):
            finish_event(session=session, event_id=str(body["event_id"]))
    try:
        client.views_publish(user_id=user_id, view=home_view(role=role, summary=summary).to_dict())
    except SlackApiError as exc:
        logger.warning("App Home for %s not published: %s", user_id, exc.response.get("error"))
