"""The worker's surge calendar job against the Slack stand-in: the leads hear when a scheduled
playbook starts, and get the review when it ends, once each."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from app.config_file import SurgeCalendarEvent
from app.db.models import Surge
from app.slack.client import build_web_client
from app.slack.surge_alerts import SlackSurgeAlerts
from app.worker.surge_jobs import run_surge_calendar
from standins.local_slack import LocalSlack


def test_a_scheduled_release_is_announced_and_reviewed_once(slack: LocalSlack) -> None:
    assert slack.runtime is not None
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    event = SurgeCalendarEvent(
        playbook="release", start=start, duration_minutes=60, note="Release 4.2"
    )
    config = slack.runtime.config
    surge_config = config.surge.model_copy(update={"calendar": [event]})
    runtime = replace(slack.runtime, config=config.model_copy(update={"surge": surge_config}))
    leads = config.leads_channel
    announcer = SlackSurgeAlerts(build_web_client(runtime.settings), channel=leads)

    for minute in (0, 1, 30):
        run_surge_calendar(
            runtime=runtime, announcer=announcer, now=start + timedelta(minutes=minute)
        )
    assert run_surge_calendar(runtime=runtime, announcer=announcer, now=start + timedelta(hours=1))
    assert not run_surge_calendar(
        runtime=runtime, announcer=announcer, now=start + timedelta(hours=2)
    )
    texts = [m["text"] for m in slack.standin.messages_in(leads) if m.get("bot_id")]
    assert len(texts) == 2
    assert "scheduled release playbook started" in texts[0] and "Release 4.2" in texts[0]
    assert texts[1].startswith("Surge #") and "review (release): 60 min" in texts[1]
    with Session(runtime.engine) as session:
        [surge] = session.exec(select(Surge)).all()
    assert surge.source == "schedule" and json.loads(surge.review or "{}")["duration_minutes"] == 60
