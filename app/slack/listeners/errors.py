"""What every request the app has no listener for gets: 200 (Slack would otherwise retry)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError

from app.db.engine import session_scope
from app.db.events import finish_event
from app.slack.middleware.runtime import RUNTIME_KEY, runtime_of

logger = logging.getLogger(__name__)


def handle_errors(error: Exception, body: dict[str, Any], context: BoltContext) -> BoltResponse:
    if isinstance(error, BoltUnhandledRequestError):
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if event_id and context.get(RUNTIME_KEY) is not None:
            with session_scope(runtime_of(context).engine) as session:
                finish_event(session=session, event_id=str(event_id), status="ignored")
        kind = body.get("type") if isinstance(body, dict) else None
        event_type = (body.get("event") or {}).get("type") if isinstance(body, dict) else None
        logger.info("no listener for %s %s: acknowledged", kind, event_type or "")
        return BoltResponse(status=200, body="")
    logger.error("listener error: %s: %s", type(error).__name__, error)
    return BoltResponse(status=500, body="")


def register(app: App) -> None:
    app.error(handle_errors)
