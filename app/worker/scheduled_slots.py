"""Cron jobs run once per slot: the slot is taken in the database before the work, so two
overlapping workers (a deploy) run it once, and a worker restarted after being down or killed
catches up the latest slot it missed.

Each due slot is the most recent time the crontab fired, if it is at most ``CATCH_UP`` old. A slot
whose worker was killed mid-run is taken over after ``LEASE``. A worker killed after Slack took
the post but before the slot was marked done posts it again (the window is one database write).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import Engine

from app.db.engine import session_scope
from app.db.scheduled_runs import finish_slot, take_slot

logger = logging.getLogger(__name__)

CATCH_UP = timedelta(hours=6)  # a digest later than this is skipped: the next one is coming
LEASE = timedelta(minutes=10)  # a slot held this long without finishing: its worker is gone


def latest_slot(crontab: str, now: datetime) -> datetime | None:
    """The last time ``crontab`` (UTC) fired at or before ``now``, within ``CATCH_UP``."""
    trigger = CronTrigger.from_crontab(crontab, timezone="UTC")
    latest: datetime | None = None
    fire = trigger.get_next_fire_time(None, now - CATCH_UP)
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest


def run_due_slot(
    *,
    engine: Engine,
    job_id: str,
    crontab: str,
    now: datetime,
    work: Callable[[datetime], object],
) -> bool:
    """Run ``work(slot)`` for the latest due slot unless it is done or being run; True if run."""
    slot = latest_slot(crontab, now)
    if slot is None:
        return False
    with session_scope(engine) as session:
        if not take_slot(session=session, job_id=job_id, slot=slot, now=now, lease=LEASE):
            return False
    work(slot)  # raising leaves the slot held: it is taken over after the lease and retried
    with session_scope(engine) as session:
        finish_slot(session=session, job_id=job_id, slot=slot, now=now)
    logger.info("%s done for %s", job_id, slot.isoformat())
    return True
