"""Surge jobs of the worker: the calendar of known busy periods."""

from __future__ import annotations

from datetime import datetime

from app.db.engine import session_scope
from app.runtime import Runtime
from app.surge.calendar import run_calendar
from app.surge.monitor import SurgeAnnouncer
from app.surge.review import render_review, store_review


def run_surge_calendar(*, runtime: Runtime, announcer: SurgeAnnouncer, now: datetime) -> int:
    """Start and stop the scheduled playbooks due now; tell the leads, with the review."""
    changes = run_calendar(engine=runtime.engine, config=runtime.config, now=now)
    for change in changes:
        if change.started:
            note = f" {change.event.note}" if change.event.note else ""
            announcer.announce(
                f"The scheduled {change.event.playbook} playbook started "
                f"(surge #{change.surge_id}) until "
                f"{change.event.ends_at:%Y-%m-%d %H:%M %Z}.{note}"
            )
            continue
        with session_scope(runtime.engine) as session:
            review = store_review(session=session, surge_id=change.surge_id, now=now)
        announcer.announce(render_review(review))
    return len(changes)
