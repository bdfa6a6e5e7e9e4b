"""The surge calendar on a controlled clock: each scheduled event starts once and stops once,
even with two workers running it at the same minute; a lead's early stop is final."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.config_file import EscalationConfig, parse_config
from app.db.engine import session_scope
from app.db.models import Surge
from app.errors import StartupError
from app.surge.calendar import run_calendar
from app.surge.service import start_surge, stop_surge
from tests.test_config_file import VALID

CALENDAR = """
surge:
  calendar:
    - playbook: release
      start: 2026-12-01T09:00:00Z
      duration_minutes: 120
      note: Release 4.2
    - playbook: billing_cycle
      start: 2026-12-01T12:00:00+01:00
      end: 2026-12-02T12:00:00+01:00
      status_url: https://status.example.com
"""
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _config(extra: str = CALENDAR) -> EscalationConfig:
    return parse_config(VALID + extra)


def _surges(engine: Engine) -> list[Surge]:
    with Session(engine) as session:
        return list(session.exec(select(Surge).order_by(Surge.id)))  # type: ignore[arg-type]


def test_events_start_and_stop_once_on_the_clock(engine: Engine) -> None:
    config = _config()
    assert (
        run_calendar(
            team_id="single", engine=engine, config=config, now=START - timedelta(minutes=1)
        )
        == []
    )
    [started] = run_calendar(team_id="single", engine=engine, config=config, now=START)
    assert started.started and started.event.playbook == "release"
    # A second worker at the same minute, and the next tick: nothing more.
    assert run_calendar(team_id="single", engine=engine, config=config, now=START) == []
    assert (
        run_calendar(
            team_id="single", engine=engine, config=config, now=START + timedelta(minutes=1)
        )
        == []
    )
    [surge] = _surges(engine)
    assert (surge.playbook, surge.source, surge.note) == ("release", "schedule", "Release 4.2")

    # 11:00 UTC: the release ends, and the billing cycle (12:00+01:00) starts on the next tick.
    end = START + timedelta(minutes=120)
    [stopped, billing] = run_calendar(team_id="single", engine=engine, config=config, now=end)
    assert not stopped.started and stopped.surge_id == surge.id
    assert billing.started and billing.event.playbook == "billing_cycle"
    assert run_calendar(team_id="single", engine=engine, config=config, now=end) == []
    first, second = _surges(engine)
    assert first.ended_at is not None and second.ended_at is None
    assert second.status_url == "https://status.example.com"


def test_two_workers_racing_on_one_event_start_it_once(engine: Engine) -> None:
    config = _config()
    # Worker A checked and found nothing; worker B inserts first; A's insert must lose.
    with session_scope(engine) as session:
        session.add(
            Surge(
                playbook="release",
                source="schedule",
                started_at=START,
                calendar_key=config.surge.calendar[0].key,
                ended_at=START,
            )
        )
    assert run_calendar(team_id="single", engine=engine, config=config, now=START) == []
    assert len(_surges(engine)) == 1


def test_a_lead_stopping_a_scheduled_surge_early_is_final(engine: Engine) -> None:
    config = _config()
    run_calendar(team_id="single", engine=engine, config=config, now=START)
    with session_scope(engine) as session:
        assert stop_surge(
            team_id="single", session=session, stopped_by="U0LEAD1", now=START
        ).changed
    assert (
        run_calendar(
            team_id="single", engine=engine, config=config, now=START + timedelta(minutes=5)
        )
        == []
    )
    later = run_calendar(
        team_id="single", engine=engine, config=config, now=START + timedelta(hours=3)
    )
    assert [change.event.playbook for change in later] == ["billing_cycle"]  # its own event
    release = [surge for surge in _surges(engine) if surge.playbook == "release"]
    assert [surge.ended_by for surge in release] == ["U0LEAD1"]


def test_an_event_waits_for_a_running_playbook_within_its_window(engine: Engine) -> None:
    config = _config()
    with session_scope(engine) as session:
        start_surge(
            team_id="single",
            session=session,
            config=config,
            playbook="outage",
            source="manual",
            started_by="U0LEAD1",
            status_url=None,
            note=None,
            now=START - timedelta(minutes=30),
        )
    assert run_calendar(team_id="single", engine=engine, config=config, now=START) == []
    with session_scope(engine) as session:
        stop_surge(
            team_id="single",
            session=session,
            stopped_by="U0LEAD1",
            now=START + timedelta(minutes=10),
        )
    [late] = run_calendar(
        team_id="single", engine=engine, config=config, now=START + timedelta(minutes=11)
    )
    assert late.started and late.event.playbook == "release"


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (
            "playbook: meltdown\n      start: 2026-12-01T09:00:00Z\n      duration_minutes: 5",
            "unknown playbook 'meltdown'",
        ),
        ("playbook: release\n      start: 2026-12-01T09:00:00Z", "either end or duration"),
        (
            "playbook: release\n      start: 2026-12-01T09:00:00\n      duration_minutes: 5",
            "timezone",
        ),
        (
            "playbook: release\n      start: 2026-12-01T09:00:00Z\n      end: 2026-12-01T08:00:00Z",
            "end must be after start",
        ),
    ],
)
def test_bad_calendar_entries_are_refused_with_the_key(event: str, message: str) -> None:
    with pytest.raises(StartupError, match=message) as error:
        _config(f"\nsurge:\n  calendar:\n    - {event}\n")
    assert "surge.calendar" in str(error.value)
