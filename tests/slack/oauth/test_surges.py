"""Surges with two workspaces installed: each installation has its own surge (started by its own
leads, by its own volume or by the calendar), counted on its own rows, announced in its own leads
channel with its own token; its customer notices go to its own customers only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.db.models import Surge, utcnow
from app.db.outbox_table import OutboxEvent
from app.slack.workspaces import installed_workspaces
from app.surge.notices import KIND as NOTICE_KIND
from app.surge.volume import window_counts
from app.worker.escalation_jobs import refresh_customer_wait_lines
from app.worker.scheduler import build_scheduler
from standins.local_slack import LocalSlack
from tests.slack.oauth.conftest import TWO_WORKSPACES, installed_twice
from tests.slack.oauth.test_isolation import escalate_in_alpha
from tests.surge.test_monitor import messages_in_accounts


def _run_job(slack: LocalSlack, job_id: str) -> None:
    """One run of a worker job, as the OAuth worker schedules it (for every installation)."""
    assert slack.runtime is not None
    job = build_scheduler(slack.runtime, installed_workspaces(slack.runtime)).get_job(job_id)
    assert job is not None
    job.func()


def _surge_command(slack: LocalSlack, team: str, lead: str, text: str) -> str:
    result = slack.sender_for(team).slash_command(
        "/escalation-surge", text, user=lead, user_team=team, channel=f"C0LEADS{team[-1]}"
    )
    assert result.status == 200
    return result.body


def _posts_in(slack: LocalSlack, channel: str) -> list[tuple[str | None, str]]:
    return [
        (call.team_id, str(call.args.get("text")))
        for call in slack.standin.calls_to("chat.postMessage")
        if call.args["channel"] == channel and call.ok
    ]


def _notice_reports(slack: LocalSlack, channel: str) -> list[tuple[str | None, str]]:
    return [(team, text) for team, text in _posts_in(slack, channel) if "customer notice" in text]


def _surges(slack: LocalSlack) -> list[Surge]:
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        return list(session.exec(select(Surge).order_by(Surge.id)))


def test_a_lead_starts_and_stops_a_surge_of_their_own_workspace_only(
    two_workspaces: LocalSlack,
) -> None:
    slack = two_workspaces
    assert "Started the outage playbook" in _surge_command(
        slack, "T0ALPHA", "U0LEADA", "start outage"
    )
    [surge] = _surges(slack)
    assert surge.team_id == "T0ALPHA"
    slack.standin.wait_for(lambda: _posts_in(slack, "C0LEADSA"))
    assert [team for team, _ in _posts_in(slack, "C0LEADSA")] == ["T0ALPHA"]
    # Beta is not surging: its lead can start its own, and has none to stop before that
    assert "No surge playbook is running" in _surge_command(slack, "T0BETA", "U0LEADB", "stop")
    assert "Started the release playbook" in _surge_command(
        slack, "T0BETA", "U0LEADB", "start release"
    )
    assert [(s.team_id, s.playbook, s.ended_at) for s in _surges(slack)] == [
        ("T0ALPHA", "outage", None),
        ("T0BETA", "release", None),
    ]
    assert "Stopped the outage playbook" in _surge_command(slack, "T0ALPHA", "U0LEADA", "stop")
    alpha, beta = _surges(slack)
    assert alpha.ended_at is not None and beta.ended_at is None
    assert _posts_in(slack, "C0LEADS") == []  # the top-level team is no installation's
    assert all(team == "T0BETA" for team, _ in _posts_in(slack, "C0LEADSB"))


def test_notices_go_to_the_surging_workspaces_customers_with_its_token(
    two_workspaces: LocalSlack,
) -> None:
    slack = two_workspaces
    _surge_command(slack, "T0ALPHA", "U0LEADA", "start outage https://status.example.com")
    assert "Posting the outage notice to 1 customer channels" in _surge_command(
        slack, "T0ALPHA", "U0LEADA", "notify"
    )
    assert "No surge playbook is running" in _surge_command(slack, "T0BETA", "U0LEADB", "notify")
    # The lead's process posts it, then tells its own leads how it went.
    slack.standin.wait_for(lambda: _notice_reports(slack, "C0LEADSA"))
    _run_job(slack, "deliver_outbox")  # the sweep finds nothing left to post, or to tell
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        notices = session.exec(select(OutboxEvent).where(OutboxEvent.kind == NOTICE_KIND)).all()
    assert [(json.loads(n.payload)["channel"], n.status) for n in notices] == [
        ("C0ACMEA", "delivered")
    ]
    assert [team for team, _ in _posts_in(slack, "C0ACMEA")] == ["T0ALPHA"]
    assert _posts_in(slack, "C0GLOBEXB") == []
    [(team, report)] = _notice_reports(slack, "C0LEADSA")
    assert team == "T0ALPHA" and "posted in 1 of 1 channels" in report
    assert _notice_reports(slack, "C0LEADSB") == []


def test_one_workspaces_burst_alerts_its_own_leads_only(two_workspaces: LocalSlack) -> None:
    slack = two_workspaces
    assert slack.runtime is not None
    burst_at = utcnow() - timedelta(minutes=1)
    messages_in_accounts(
        slack.runtime.engine, at=burst_at, channels=4, per_channel=4, tag="b", team_id="T0ALPHA"
    )
    with Session(slack.runtime.engine) as session:
        alpha = window_counts(session=session, end=utcnow(), team_id="T0ALPHA")
        beta = window_counts(session=session, end=utcnow(), team_id="T0BETA")
    assert (alpha.messages, alpha.channels) == (16, 4)
    assert (beta.messages, beta.channels) == (0, 0)
    _run_job(slack, "watch_for_surges")
    [(team, text)] = _posts_in(slack, "C0LEADSA")
    assert team == "T0ALPHA" and text.startswith(
        "Possible surge: 16 messages in 5 min from 4 channels"
    )
    assert _posts_in(slack, "C0LEADSB") == []


CALENDAR = """\
surge:
  calendar:
    - {{playbook: release, start: "{start}", duration_minutes: 60}}
"""


@pytest.fixture
def scheduled(database_url: str, tmp_path: Path) -> Iterator[LocalSlack]:
    start = (utcnow() - timedelta(minutes=5)).isoformat()
    with installed_twice(
        database_url, tmp_path, TWO_WORKSPACES + CALENDAR.format(start=start)
    ) as local:
        yield local


def test_a_calendar_event_starts_once_in_each_workspace(scheduled: LocalSlack) -> None:
    slack = scheduled
    _run_job(slack, "run_surge_calendar")
    _run_job(slack, "run_surge_calendar")  # taken once per installation
    surges = _surges(slack)
    assert [(s.team_id, s.playbook, s.source) for s in surges] == [
        ("T0ALPHA", "release", "schedule"),
        ("T0BETA", "release", "schedule"),
    ]
    assert surges[0].calendar_key == surges[1].calendar_key
    [(alpha_team, alpha_text)] = _posts_in(slack, "C0LEADSA")
    [(beta_team, beta_text)] = _posts_in(slack, "C0LEADSB")
    assert (alpha_team, beta_team) == ("T0ALPHA", "T0BETA")
    assert f"surge #{surges[0].id}" in alpha_text and f"surge #{surges[1].id}" in beta_text


def test_wait_lines_follow_their_own_workspaces_surge(two_workspaces: LocalSlack) -> None:
    slack = two_workspaces
    assert slack.runtime is not None
    escalate_in_alpha(slack)
    _surge_command(slack, "T0BETA", "U0LEADB", "start outage")  # Beta's surge: not Alpha's line
    alpha, beta = installed_workspaces(slack.runtime)()
    now = utcnow()
    assert refresh_customer_wait_lines(runtime=beta.runtime, client=beta.client, now=now) == 0
    assert refresh_customer_wait_lines(runtime=alpha.runtime, client=alpha.client, now=now) == 0
    _surge_command(slack, "T0ALPHA", "U0LEADA", "start outage")  # the banner joins Alpha's line
    assert refresh_customer_wait_lines(runtime=beta.runtime, client=beta.client, now=now) == 0
    assert refresh_customer_wait_lines(runtime=alpha.runtime, client=alpha.client, now=now) == 1
    [edit] = [c for c in slack.standin.calls_to("chat.update") if c.ok]
    assert edit.team_id == "T0ALPHA" and edit.args["channel"] == "C0ACMEA"
