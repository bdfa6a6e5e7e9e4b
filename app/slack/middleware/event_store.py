"""Stores every Events API delivery before it is acknowledged, and drops Slack's retries of
deliveries that were already taken."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from app.db.engine import session_scope
from app.db.events import Stored, store_event
from app.slack.middleware.runtime import runtime_of

logger = logging.getLogger(__name__)


def store_events(
    body: dict[str, Any], context: BoltContext, next: Callable[[], None]
) -> BoltResponse | None:
    if body.get("type") != "event_callback" or not body.get("event_id"):
        next()
        return None
    event = body.get("event") or {}
    runtime = runtime_of(context)
    with session_scope(runtime.engine) as session:
        stored = store_event(
            session=session,
            event_id=str(body["event_id"]),
            # the installation the event is for (Slack Connect: not the envelope's team_id)
            team_id=context.team_id or body.get("team_id"),
            event_type=str(event.get("type") or "unknown"),
            payload=json.dumps(body, separators=(",", ":")),
        )
    if stored is Stored.DUPLICATE:
        logger.info("event %s already taken: acknowledged only", body["event_id"])
        return BoltResponse(status=200, body="")
    next()
    return None
