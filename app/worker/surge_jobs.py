"""Surge jobs of the worker: the calendar of known busy periods, and customer notices."""

from __future__ import annotations

import time
from datetime import datetime

from app.db.engine import session_scope
from app.runtime import Runtime
from app.surge.calendar import run_calendar
from app.surge.monitor import SurgeAnnouncer
from app.surge.notices import NoticePoster, send_notices
from app.surge.review import render_review, store_review

NOTICE_INTERVAL_SECONDS = 0.25  # each notice goes to its own channel; Slack allows ~1/s each


def run_surge_calendar(*, runtime: Runtime, announcer: SurgeAnnouncer, now: datetime) -> int:
    """Start and stop the scheduled playbooks due now; tell the leads, with the review."""
    changes = run_calendar(
        engine=runtime.engine, config=runtime.config, team_id=runtime.team.team_id, now=now
    )
    for change in changes:
        if change.started:
            note = f" {change.event.note}" if change.event.note else ""
            playbook = runtime.config.surge.playbooks.get(change.event.playbook)
            announcer.announce(
                f"The scheduled {change.event.playbook} playbook started "
                f"(surge #{change.surge_id}) until "
                f"{change.event.ends_at:%Y-%m-%d %H:%M %Z}.{note}",
                surge_id=change.surge_id,
                offer_notice=bool(playbook and playbook.notice),
            )
            continue
        with session_scope(runtime.engine) as session:
            review = store_review(session=session, surge_id=change.surge_id, now=now)
        announcer.announce(render_review(review))
    return len(changes)


def send_surge_notices(
    *, runtime: Runtime, poster: NoticePoster, announcer: SurgeAnnouncer, now: datetime
) -> int:
    """Post the pending customer notices of the running surge, about one a second per
    channel's limit and well within the workspace's; tell the leads once all are done."""
    run = send_notices(
        engine=runtime.engine,
        config=runtime.config,
        team_id=runtime.team.team_id,
        poster=poster,
        now=now,
        interval=NOTICE_INTERVAL_SECONDS,
        pause=time.sleep,
    )
    if run.report:
        announcer.announce(run.report)
    return run.sent
