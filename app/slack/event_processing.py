"""Processing of stored Events API deliveries, shared by the listeners (right after the ack) and
the worker (events a crashed or failing process left unfinished)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.conversations.flow import process_message
from app.conversations.intake import BotIdentity
from app.db.engine import session_scope
from app.db.events import RECEIVED as RECEIVED_STATUS
from app.db.events import claim_for_retry, fail_event, finish_event
from app.runtime import Runtime
from app.slack.agent_desk import SlackAgentDesk
from app.slack.gateway import SlackConnection, SlackRefusedError, gateway_of
from app.slack.parsing import incoming_message
from app.slack.replier import SlackThreadReplier

logger = logging.getLogger(__name__)

# The event types whose work runs here (and so may be left to an event processor).
PROCESSED_EVENT_TYPES = frozenset({"message"})
# Bolt context key: when the web process stored the delivery it is about to process.
RECEIVED_AT = "stored_event_received_at"


def process_event(
    *,
    runtime: Runtime,
    client: SlackConnection,
    bot: BotIdentity,
    event_id: str | None,
    event: Mapping[str, Any],
    received_at: datetime | None = None,
) -> bool:
    """Run the event's work and record how it ended; True when it finished.

    With ``received_at`` (the web process's own delivery, stored at that time) the event is taken
    first, so one that waited so long that the worker's retry took it is not processed twice.
    Failures are recorded on the stored event (the worker retries it) and never raised.
    """
    if (
        event_id is not None
        and received_at is not None
        and not _take(runtime, event_id, received_at)
    ):
        logger.info("event %s was taken by the worker's retry: not processed here", event_id)
        return False
    try:
        _dispatch(runtime=runtime, client=client, bot=bot, event=event)
    except SlackRefusedError as refusal:
        error = f"Slack API error: {refusal.error}"
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
    *, runtime: Runtime, client: SlackConnection, bot: BotIdentity, event: Mapping[str, Any]
) -> None:
    if event.get("type") == "message":
        slack = gateway_of(client)
        outcome = process_message(
            engine=runtime.engine,
            config=runtime.config,
            triage=runtime.triage,
            message=incoming_message(event),
            bot=bot,
            replier=SlackThreadReplier(slack),
            desk=SlackAgentDesk(slack),
        )
        logger.info(
            "message %s in %s: %s (%s)",
            event.get("ts"),
            event.get("channel"),
            outcome.action,
            outcome.reason,
        )


def _take(runtime: Runtime, event_id: str, received_at: datetime) -> bool:
    with session_scope(runtime.engine) as session:
        return claim_for_retry(
            session=session,
            event_id=event_id,
            expected_status=RECEIVED_STATUS,
            expected_received_at=received_at,
        )


def _record_failure(runtime: Runtime, event_id: str | None, error: str) -> None:
    logger.error("event %s failed: %s", event_id, error, exc_info=True)
    if event_id is None:
        return
    with session_scope(runtime.engine) as session:
        fail_event(session=session, event_id=event_id, error=error)
