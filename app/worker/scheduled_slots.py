"""Cron jobs run once per slot: the slot is taken in the database before the work, so two
overlapping workers (a deploy) run it once, and a worker restarted after being down or killed
catches up the latest slot it missed.

Each due slot is the most recent time the crontab fired, if it is at most ``CATCH_UP`` old. The
slot row is marked running, with its holder and time, before the digest is posted, and done
after; the post carries the slot's key (:func:`slot_key`) in its Slack message metadata. A slot
still running after ``LEASE`` was left by a worker that died: the next worker takes it over and
first looks for the key in the channel's history since the slot (``find_post``). Found, the
digest is not posted again (the work is told its ts, to finish what follows the post); not
found, it is posted. So a worker killed at any point gives one digest, and none is lost;
``tests/worker/test_worker_killed.py`` kills real worker processes before and after Slack
accepted the post.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import Engine

from app.db.engine import session_scope
from app.db.scheduled_runs import finish_slot, take_slot
from app.process_identity import this_worker

logger = logging.getLogger(__name__)

CATCH_UP = timedelta(hours=6)  # a digest later than this is skipped: the next one is coming
LEASE = timedelta(minutes=10)  # a slot held this long without finishing: its worker is gone


@dataclass(frozen=True)
class SlotSend:
    """What a slot's work needs to post its digest exactly once."""

    key: str  # carried in the post's metadata
    posted_ts: str | None = None  # the digest a killed worker got into Slack: not posted again


Work = Callable[[datetime, SlotSend], object]
FindPost = Callable[[str, datetime], str | None]  # (key, since) -> the ts of the keyed post


def slot_key(job_id: str, slot: datetime) -> str:
    """The stable key of one slot's digest."""
    return f"{job_id}@{slot:%Y-%m-%dT%H:%MZ}"


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
    work: Work,
    find_post: FindPost | None = None,
    holder: str | None = None,
) -> bool:
    """Run ``work(slot, send)`` for the latest due slot unless it is done or being run; True if
    run. A slot taken over from a dead worker is first looked for with ``find_post``."""
    slot = latest_slot(crontab, now)
    if slot is None:
        return False
    with session_scope(engine) as session:
        taken = take_slot(
            session=session,
            job_id=job_id,
            slot=slot,
            now=now,
            lease=LEASE,
            holder=holder or this_worker(),
        )
    if taken is None:
        return False
    key = slot_key(job_id, slot)
    posted = find_post(key, slot) if taken == "taken_over" and find_post is not None else None
    if posted is not None:
        logger.info("%s for %s was posted by a worker that died", job_id, slot.isoformat())
    work(slot, SlotSend(key, posted))  # raising leaves the slot held: taken over after the lease
    with session_scope(engine) as session:
        finish_slot(session=session, job_id=job_id, slot=slot, now=now)
    logger.info("%s done for %s", job_id, slot.isoformat())
    return True
