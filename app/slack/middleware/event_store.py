"""Stores every Events API delivery before it is acknowledged, and drops Slack's retries of
deliveries that were already taken.

With ``EVENT_PROCESSING=worker`` the events an event processor handles are stored ``queued`` and
acknowledged right here: the web process only verifies, stores and acks."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from app.db.event_notifier import notify_event_processors
from app.db.events import Stored, store_event
from app.db.models import utcnow
from app.slack.event_processing import PROCESSED_EVENT_TYPES, RECEIVED_AT
from app.slack.middleware.runtime import runtime_of

logger = logging.getLogger(__name__)


def store_events(
    body: dict[str, Any], request: BoltRequest, context: BoltContext, next: Callable[[], None]
) -> BoltResponse | None:
    if body.get("type") != "event_callback" or not body.get("event_id"):
        next()
        return None
    event = body.get("event") or {}
    runtime = runtime_of(context)
    event_type = str(event.get("type") or "unknown")
    settings = runtime.settings
    queue = settings.event_processing == "worker" and event_type in PROCESSED_EVENT_TYPES
    fields = {
        "event_id": str(body["event_id"]),
        # the installation the event is for (Slack Connect: not the envelope's team_id)
        "team_id": context.team_id or body.get("team_id"),
        "event_type": event_type,
        "payload": _payload(request, body),
        "received_at": utcnow(),
    }
    stored = _store(runtime.engine, fields, queue=queue)
    if stored is Stored.DUPLICATE:
        logger.info("event %s already taken: acknowledged only", body["event_id"])
        return BoltResponse(status=200, body="")
    if queue:
        notify_event_processors(runtime.engine)
        return BoltResponse(status=200, body="")  # committed: an event processor takes it
    context[RECEIVED_AT] = fields["received_at"]
    next()
    return None


def _payload(request: BoltRequest, body: dict[str, Any]) -> str:
    """The envelope to store: over HTTP the JSON body exactly as Slack signed it (no second
    serialisation on the ack path); from Socket Mode, the parsed payload serialised."""
    if request.mode == "http" and request.raw_body.lstrip().startswith("{"):
        return request.raw_body
    return json.dumps(body, separators=(",", ":"))


def _store(engine: Engine, fields: dict[str, Any], *, queue: bool) -> Stored:
    """The store the ack waits for; once more on a fresh connection when the pooled one was lost
    (the database restarted since it was opened).

    A queued event runs in autocommit: a new delivery is one ``INSERT … RETURNING``, atomic and
    durable on its own, one round trip to PostgreSQL instead of three with ``BEGIN`` and
    ``COMMIT``. Once it is in, an event processor takes it whatever happens to this process. An
    event this process runs itself is stored in a transaction, so a crash before the commit
    leaves nothing and Slack's retry is processed at once rather than by the worker's sweep."""
    for attempt in (1, 2):
        try:
            with _connection(engine, autocommit=queue) as connection:
                return store_event(session=connection, queue=queue, **fields)
        except DBAPIError as exc:
            if attempt == 2 or not exc.connection_invalidated:
                raise
    raise AssertionError("unreachable")


@contextmanager
def _connection(engine: Engine, *, autocommit: bool) -> Iterator[Connection]:
    if autocommit:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            yield connection
    else:
        with engine.begin() as connection:
            yield connection
