"""The surge calendar: known busy periods from the config start and stop their playbook on time.

The worker calls :func:`run_calendar` every minute. Each event is taken once, even with two
workers overlapping during a deploy: the start inserts a row keyed by the event (a unique
column, so the second insert fails), and the stop is a conditional UPDATE that only one worker
can win. An event a lead stopped early is not restarted (its row exists); an event whose start
finds another playbook running waits for it, within the event's window.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from app.config_file import EscalationConfig, SurgeCalendarEvent
from app.db.engine import session_scope
from app.db.models import Surge
from app.surge.service import active_surge

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CalendarChange:
    surge_id: int
    started: bool  # False: stopped
    event: SurgeCalendarEvent


def run_calendar(
    *, engine: Engine, config: EscalationConfig, team_id: str, now: datetime
) -> list[CalendarChange]:
    """Start the events whose window holds ``now`` and stop those past their end, for one
    installation (each installation runs the calendar for itself)."""
    changes: list[CalendarChange] = []
    for event in config.surge.calendar:
        if event.start <= now < event.ends_at:
            surge_id = _start(engine, event, team_id, now)
            if surge_id is not None:
                changes.append(CalendarChange(surge_id, True, event))
        elif now >= event.ends_at:
            surge_id = _stop(engine, event, team_id, now)
            if surge_id is not None:
                changes.append(CalendarChange(surge_id, False, event))
    return changes


def _start(engine: Engine, event: SurgeCalendarEvent, team_id: str, now: datetime) -> int | None:
    try:
        with session_scope(engine) as session:
            taken = session.exec(
                select(Surge.id).where(
                    col(Surge.team_id) == team_id, col(Surge.calendar_key) == event.key
                )
            ).first()
            if taken is not None or active_surge(session=session, team_id=team_id) is not None:
                return None
            surge = Surge(
                team_id=team_id,
                playbook=event.playbook,
                source="schedule",
                status_url=event.status_url,
                note=event.note,
                started_at=now,
                calendar_key=event.key,
            )
            session.add(surge)
            session.flush()
            return surge.id
    except IntegrityError:  # another worker started this event a moment ago
        logger.info("calendar event %s already started", event.key)
        return None


def _stop(engine: Engine, event: SurgeCalendarEvent, team_id: str, now: datetime) -> int | None:
    with session_scope(engine) as session:
        surge_id = session.exec(
            select(Surge.id).where(
                col(Surge.team_id) == team_id,
                col(Surge.calendar_key) == event.key,
                col(Surge.ended_at).is_(None),
            )
        ).first()
        if surge_id is None:
            return None
        result = session.execute(
            update(Surge)
            .where(col(Surge.id) == surge_id, col(Surge.ended_at).is_(None))
            .values(ended_at=now)
        )
        return surge_id if result.rowcount else None  # type: ignore[attr-defined]
