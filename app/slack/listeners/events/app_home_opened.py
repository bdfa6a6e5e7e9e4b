"""The App Home tab: role, shift switch for agents, and the week's activity."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from app.db.engine import session_scope
from app.db.events import finish_event
from app.slack.home_publisher import publish_home
from app.slack.middleware.runtime import runtime_of


def app_home_opened(
    body: dict[str, Any], event: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    runtime = runtime_of(context)
    if body.get("event_id"):
        with session_scope(runtime.engine) as session:
            finish_event(session=session, event_id=str(body["event_id"]))
    if event.get("tab") not in (None, "home"):
        return
    publish_home(client=client, runtime=runtime, user_id=str(event.get("user") or ""))
