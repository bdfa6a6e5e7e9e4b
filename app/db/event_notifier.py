"""Wakes event processors (PostgreSQL ``NOTIFY``) without slowing the transaction that stored an
event.

A ``NOTIFY`` inside the storing transaction would make every commit take PostgreSQL's notify
queue lock until its WAL is flushed, so storing commits would queue behind each other's disk
flushes. Instead each process keeps one thread that, once told events were committed, sends a
single ``NOTIFY`` on its own autocommit connection, at most one per ``MIN_INTERVAL``:
notifications coalesce (under load one ``NOTIFY`` wakes the processors for many events, rather
than one flush per event), the request thread only sets a flag. A lost notification costs
nothing but latency: processors also poll.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

logger = logging.getLogger(__name__)

NOTIFY_CHANNEL = "slack_events"  # the LISTEN/NOTIFY channel event processors listen on
MIN_INTERVAL = 0.01  # seconds between two NOTIFYs of one process: events wait at most this long
_notifiers: dict[int, EventNotifier] = {}
_lock = threading.Lock()


class EventNotifier:
    """One background thread per engine that turns many ``notify()`` calls into few NOTIFYs."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._pending = threading.Event()
        self._thread = threading.Thread(target=self._run, name="event-notify", daemon=True)
        self._thread.start()

    def notify(self) -> None:
        self._pending.set()

    def _run(self) -> None:
        while True:
            self._pending.wait()
            self._pending.clear()
            try:
                with self._engine.connect() as connection:
                    connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                        text(f"NOTIFY {NOTIFY_CHANNEL}")
                    )
            except SQLAlchemyError as exc:  # the processors' poll picks the events up
                logger.warning("could not notify event processors: %s", type(exc).__name__)
            time.sleep(MIN_INTERVAL)  # events committed meanwhile share the next NOTIFY


def notify_event_processors(engine: Engine) -> None:
    """Tell the processors events were committed (PostgreSQL only; on SQLite they poll)."""
    if engine.dialect.name != "postgresql":
        return
    notifier = _notifiers.get(id(engine))
    if notifier is None:
        with _lock:
            notifier = _notifiers.setdefault(id(engine), EventNotifier(engine))
    notifier.notify()
