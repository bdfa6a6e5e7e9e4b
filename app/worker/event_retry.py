"""Finishes stored events that failed or that a crashed process never finished."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from app.conversations.intake import BotIdentity
from app.db.engine import session_scope
from app.db.events import claim_for_retry, prune_events, unfinished_events
from app.runtime import Runtime
from app.slack.event_processing import process_event
from app.slack.gateway import SlackConnection

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=2)
KEEP_FINISHED = timedelta(days=2)


def retry_unfinished_events(
    *, runtime: Runtime, client: SlackConnection, bot: BotIdentity, now: datetime
) -> int:
    """Process each unfinished event once more; returns how many finished now."""
    with session_scope(runtime.engine) as session:
        candidates = [
            (row.event_id, row.status, row.received_at, row.payload)
            for row in unfinished_events(
                session=session, now=now, stale_after=STALE_AFTER, team_id=runtime.team_filter
            )
        ]
    finished = 0
    for event_id, status, received_at, payload in candidates:
        with session_scope(runtime.engine) as session:
            if not claim_for_retry(
                session=session,
                event_id=event_id,
                expected_status=status,
                expected_received_at=received_at,
            ):
                continue
        body = json.loads(payload)
        if process_event(
            runtime=runtime,
            client=client,
            bot=bot,
            event_id=event_id,
            event=body.get("event") or {},
        ):
            finished += 1
    if candidates:
        logger.info("retried %d unfinished events, %d finished", len(candidates), finished)
    return finished


def prune_finished_events(*, runtime: Runtime, now: datetime) -> int:
    with session_scope(runtime.engine) as session:
        return prune_events(session=session, older_than=now - KEEP_FINISHED)
