"""The claim-window sweep, run by the worker: an escalation nobody claimed in its tier's window
is re-posted to the overflow channel with the leads mentioned; after a second window the leads
channel is told.

Which step is due for which escalation is decided here. The step is taken by one conditional
UPDATE (two workers overlapping during a deploy never both take it), and its reminder is stored
as an outbox row in the same transaction (``app/escalations/reminders.py``): the sweep posts it
at once, and whatever it could not post (Slack down, the worker killed mid-post) is delivered by
the outbox sweep, which looks for the reminder's key in the channel before posting it again.
``tests/worker/test_worker_killed.py`` kills real worker processes while they post.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.config_file import EscalationConfig
from app.db.engine import session_scope
from app.db.models import Escalation, as_utc
from app.escalations.handoff import AgentDesk
from app.escalations.reminders import (
    LEADS,
    OVERFLOW,
    ReminderPoster,
    ReminderRecorder,
    deliver_reminders,
    queue_reminder,
)
from app.escalations.unclaimed_alert import queue_unclaimed_alert
from app.routing.claim_order import claim_order, claim_priority
from app.team_scope import SINGLE_WORKSPACE_TEAM_ID

logger = logging.getLogger(__name__)
BATCH = 50


def sweep_overflow(
    *,
    engine: Engine,
    config: EscalationConfig,
    desk: AgentDesk,
    now: datetime,
    team_id: str | None = None,
) -> int:
    """Take the step of every escalation past a window (of the installation ``team_id``, if
    given), storing its reminder, then post those reminders; returns how many were posted."""
    keys = queue_due_reminders(engine=engine, config=config, now=now, team_id=team_id)
    return deliver_reminders(
        engine=engine,
        sender=ReminderPoster(
            engine=engine, configs=lambda _team: config, desks=lambda _team: desk
        ),
        recorder=ReminderRecorder(lambda _team: config),
        keys=keys,
        now=now,
    )


def queue_due_reminders(
    *, engine: Engine, config: EscalationConfig, now: datetime, team_id: str | None = None
) -> list[str]:
    """Take every due step (overflow, then leads), each with its reminder stored; their keys."""
    keys: list[str] = []
    for step in (OVERFLOW, LEADS):
        for escalation_id in _due(engine, now, step=step, config=config, team_id=team_id):
            key = _take(engine, escalation_id, now, step=step, config=config)
            if key:
                keys.append(key)
    return keys


def _due(
    engine: Engine,
    now: datetime,
    *,
    step: str,
    config: EscalationConfig | None = None,
    team_id: str | None = None,
) -> list[int]:
    with session_scope(engine) as session:
        query = select(Escalation.id, Escalation.tier, Escalation.overflowed_at).where(
            col(Escalation.status) == "pending", col(Escalation.card_ts).is_not(None)
        )
        if team_id is not None:
            query = query.where(col(Escalation.team_id) == team_id)
        if step == "overflow":
            query = query.where(
                col(Escalation.overflowed_at).is_(None), col(Escalation.claim_deadline) <= now
            )
        else:
            query = query.where(
                col(Escalation.overflowed_at).is_not(None),
                col(Escalation.leads_alerted_at).is_(None),
            )
        # While a playbook runs, reminders go out in claim order (tier, then age).
        priority = (
            claim_priority(
                session=session, config=config, team_id=team_id or SINGLE_WORKSPACE_TEAM_ID
            )
            if config
            else ()
        )
        order = claim_order(priority) if priority else [col(Escalation.claim_deadline)]
        rows = session.exec(
            query.order_by(*order).limit(BATCH).with_for_update(skip_locked=True)
        ).all()
    if step == "overflow" or config is None:
        return [row[0] for row in rows if row[0] is not None]
    return [
        escalation_id
        for escalation_id, tier, overflowed_at in rows
        if escalation_id is not None
        and overflowed_at is not None
        and as_utc(overflowed_at) + timedelta(minutes=config.claim_window_minutes(tier)) <= now
    ]


def _take(
    engine: Engine, escalation_id: int, now: datetime, *, step: str, config: EscalationConfig
) -> str | None:
    """The reminder's key when this sweep took the step (its reminder stored), else None."""
    column = Escalation.overflowed_at if step == OVERFLOW else Escalation.leads_alerted_at
    with session_scope(engine) as session:
        result = session.execute(
            update(Escalation)
            .where(
                col(Escalation.id) == escalation_id,
                col(Escalation.status) == "pending",
                col(column).is_(None),
            )
            .values({column: now})
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return None
        escalation = session.get_one(Escalation, escalation_id)
        key = queue_reminder(session=session, escalation=escalation, step=step, now=now)
        if step == OVERFLOW:  # the team alert, once, with the step that owes it
            queue_unclaimed_alert(
                session=session, config=config, escalation_id=escalation_id, now=now
            )
        return key
