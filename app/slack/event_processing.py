"""Processing of stored Events API deliveries, shared by the listeners (right after the ack) and
the worker (events a crashed or failing process left unfinished)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.conversations.flow import process_message
from app.conversations.intake import BotIdentity
from app.db.engine import session_scope
from app.db.events import fail_event, finish_event
from app.runtime import Runtime
from app.slack.agent_desk import SlackAgentDesk
from app.slack.parsing import incoming_message
from app.slack.replier import SlackThreadReplier

logger = logging.getLogger(__name__)

# The event types whose work runs here (and so may be left to an event processor).
PROCESSED_EVENT_TYPES = frozenset({"message"})


def process_event(
    *,
    runtime: Runtime,
    client: WebClient,
    bot: BotIdentity,
    event_id: str | None,
    event: Mapping[str, Any],
) -> bool:
    """Run the event's work and record how it ended; True when it finished.

    Failures are recorded on the stored event (the worker retries it) and never raised.
    """
    try:
        _dispatch(runtime=runtime, client=client, bot=bot, event=event)
    except SlackApiError as exc:
        error = f"Slack API error: {exc.response.get('error', 'unknown')}"
        _record_failure(runtime, event_id, error)
        return False
    except Exception as exc:
        _record_failure(runtime, event_id, f"{type(exc).__name__}: {exc}")
        return False
    if event_id is not None:
        with session_scope(runtime.engine) as session:
            finish_event(session=session, event_id=event_id)
    return True


def _dispatch(
    *, runtime: Runtime, client: WebClient, bot: BotIdentity, event: Mapping[str, Any]
) -> None:
    if event.get("type") == "message":
        outcome = process_message(
            engine=runtime.engine,
            config=runtime.config,
            triage=runtime.triage,
            message=incoming_message(event),
            bot=bot,
            replier=SlackThreadReplier(client),
            desk=SlackAgentDesk(client),
        )
        logger.info(
            "message %s in %s: %s (%s)",
            event.get("ts"),
            event.get("channel"),
            outcome.action,
            outcome.reason,
        )


def _record_failure(runtime: Runtime, event_id: str | None, error: str) -> None:
    logger.error("event %s failed: %s", event_id, error, exc_info=True)
    if event_id is None:
        return
    with session_scope(runtime.engine) as session:
        fail_event(session=session, event_id=event_id, error=error)
