"""Surge jobs of the worker: the calendar of known busy periods, and the outcome of customer
notices (after the outbox sweep that delivers them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from app.db.engine import session_scope
from app.runtime import Runtime
from app.slack.surge_alerts import SlackSurgeAlerts
from app.slack.workspaces import WorkspaceSource
from app.surge.calendar import run_calendar
from app.surge.monitor import SurgeAnnouncer
from app.surge.notices import report_once, surges_to_report
from app.surge.review import render_review, store_review


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


def announce_notice_outcomes(*, engine: Engine, workspaces: WorkspaceSource, now: datetime) -> int:
    """Tell each installation's leads how its running surge's customer notices went, once none
    is left to deliver (once per surge); how many were told."""
    waiting = surges_to_report(engine=engine)
    if not waiting:
        return 0
    told = 0
    for workspace in workspaces():
        surge_id = waiting.get(workspace.runtime.team.team_id)
        report = report_once(engine=engine, surge_id=surge_id, now=now) if surge_id else None
        if report:
            leads = workspace.runtime.config.leads_channel
            SlackSurgeAlerts(workspace.client, channel=leads).announce(report)
            told += 1
    return told
