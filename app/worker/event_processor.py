"""``escalation-bot events``: processes the events web processes stored ``queued`` and acked.

Web processes with ``EVENT_PROCESSING=worker`` only verify, store and acknowledge; this process
takes the stored events and runs the same work as inline processing
(:func:`app.slack.event_processing.process_event`), exactly once each:

* it is woken by PostgreSQL ``LISTEN``/``NOTIFY`` (a dedicated psycopg connection, reconnected
  after the database comes back), with a poll as a fallback; on SQLite it polls briefly;
* it takes events with :func:`app.db.events.claim_queued_events` (``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL), never more than it has free threads: when all are busy, the events wait in the
  database (back-pressure) instead of piling up in memory;
* each event runs with the installation it was authorized for (its stored team id): that
  installation's token, config and rows (with a single bot token, the one workspace's);
* an event whose processing failed is recorded ``failed`` and retried by the worker; one a
  crashed processor held is taken again once stale. Several processors may run side by side.
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.db.engine import session_scope
from app.db.event_notifier import NOTIFY_CHANNEL
from app.db.events import claim_queued_events, fail_event
from app.runtime import Runtime
from app.slack.event_processing import process_event
from app.slack.gateway import WebClient
from app.slack.workspaces import (
    WorkspaceOf,
    bot_identity,
    installation_of,
    the_single_workspace,
)

logger = logging.getLogger(__name__)

POSTGRES_POLL_SECONDS = 2.0  # fallback when a notification is missed (listener reconnecting)
SQLITE_POLL_SECONDS = 0.05
RECONNECT_SECONDS = 1.0


class EventProcessor:
    """Takes queued events and runs them on ``threads`` threads until ``stop`` is set."""

    def __init__(self, *, runtime: Runtime, workspace_of: WorkspaceOf, threads: int) -> None:
        self._runtime = runtime
        self._workspace_of = workspace_of
        self._threads = threads
        self._free = threading.Semaphore(threads)
        self._wake = threading.Event()
        self.processed = 0
        self._count_lock = threading.Lock()

    def run(self, stop: threading.Event) -> None:
        engine = self._runtime.engine
        postgres = engine.dialect.name == "postgresql"
        poll = POSTGRES_POLL_SECONDS if postgres else SQLITE_POLL_SECONDS
        if postgres:
            threading.Thread(
                target=_listen, args=(engine, self._wake, stop), name="event-listen", daemon=True
            ).start()
        logger.info("event processor started (%d threads)", self._threads)
        with ThreadPoolExecutor(self._threads, thread_name_prefix="event") as pool:
            while not stop.is_set():
                self._wake.clear()
                if not self._take_and_submit(pool, stop):
                    self._wake.wait(poll)
        logger.info("event processor stopped after %d events", self.processed)

    def _take_and_submit(self, pool: ThreadPoolExecutor, stop: threading.Event) -> bool:
        """Claim as many events as there are free threads; False when none was waiting."""
        while not self._free.acquire(timeout=0.5):  # every thread busy: events wait stored
            if stop.is_set():
                return True
        free = 1
        while free < self._threads and self._free.acquire(blocking=False):
            free += 1
        try:
            with session_scope(self._runtime.engine) as session:
                claimed = claim_queued_events(session=session, limit=free)
        except SQLAlchemyError as exc:
            logger.error("cannot take queued events: %s", type(exc).__name__)
            claimed = []
            stop.wait(RECONNECT_SECONDS)
        for _ in range(free - len(claimed)):
            self._free.release()
        for event_id, payload, team_id in claimed:
            pool.submit(self._process, event_id, payload, team_id)
        return bool(claimed)

    def _process(self, event_id: str, payload: str, team_id: str | None) -> None:
        try:
            workspace = self._workspace_of(team_id)
            if workspace is None:  # uninstalled since it was stored: visible, never retried
                logger.warning("event %s: no installation for team %s", event_id, team_id)
                with session_scope(self._runtime.engine) as session:
                    fail_event(
                        session=session,
                        event_id=event_id,
                        error=f"no installation for team {team_id}",
                    )
                return
            body = json.loads(payload)
            process_event(
                runtime=workspace.runtime,
                client=workspace.client,
                bot=workspace.bot,
                event_id=event_id,
                event=body.get("event") or {},
            )
            with self._count_lock:
                self.processed += 1
        except Exception:  # recording the failure itself failed (database down): stays stale
            logger.exception("event %s left for the worker's retry", event_id)
        finally:
            self._free.release()


def _listen(engine: Engine, wake: threading.Event, stop: threading.Event) -> None:
    """Set ``wake`` on every notification; reconnect when the connection is lost."""
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    while not stop.is_set():
        try:
            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
                wake.set()  # events may have been queued while nobody listened
                while not stop.is_set():
                    for _ in connection.notifies(timeout=1.0):
                        wake.set()
        except psycopg.Error as exc:
            logger.warning("event notifications unavailable (%s): polling", type(exc).__name__)
            stop.wait(RECONNECT_SECONDS)


def run_event_processor(
    runtime: Runtime, client: WebClient, *, stop: threading.Event | None = None
) -> EventProcessor:
    """Process queued events: with the bot token's workspace, or each with its installation."""
    if runtime.settings.oauth_mode:
        workspace_of = installation_of(runtime)
    else:
        workspace_of = the_single_workspace(runtime, client, bot_identity(client))
    processor = EventProcessor(
        runtime=runtime,
        workspace_of=workspace_of,
        threads=runtime.settings.event_processor_threads,
    )
    processor.run(stop or threading.Event())
    return processor
