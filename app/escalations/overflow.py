"""The claim-window sweep, run by the worker: an escalation nobody claimed in its tier's window
is re-posted to the overflow channel with the leads mentioned; after a second window the leads
channel is told. Each step is taken by one conditional UPDATE, so a restart, or two workers
overlapping during a deploy, neither loses nor doubles a reminder."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.config_file import EscalationConfig
from app.db.engine import session_scope
from app.db.models import Account, Conversation, Escalation, as_utc
from app.escalations.handoff import AgentDesk, build_card, with_account_facts
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
    """Handle every escalation past a window (of the installation ``team_id``, if given);
    returns how many reminders were sent."""
    sent = 0
    for escalation_id in _due(engine, now, step="overflow", config=config, team_id=team_id):
        if _take(engine, escalation_id, now, step="overflow", config=config):
            sent += _overflow(engine, config, desk, escalation_id, now)
    for escalation_id in _due(engine, now, step="leads", config=config, team_id=team_id):
        if _take(engine, escalation_id, now, step="leads"):
            sent += _alert_leads(engine, config, desk, escalation_id, now)
    return sent


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
    engine: Engine,
    escalation_id: int,
    now: datetime,
    *,
    step: str,
    config: EscalationConfig | None = None,
) -> bool:
    column = Escalation.overflowed_at if step == "overflow" else Escalation.leads_alerted_at
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
        taken = bool(result.rowcount)  # type: ignore[attr-defined]
        if taken and config is not None:  # the team alert, once, with the step that owes it
            queue_unclaimed_alert(
                session=session, config=config, escalation_id=escalation_id, now=now
            )
        return taken


def _release(engine: Engine, escalation_id: int, *, step: str) -> None:
    column = Escalation.overflowed_at if step == "overflow" else Escalation.leads_alerted_at
    with session_scope(engine) as session:
        session.execute(
            update(Escalation).where(col(Escalation.id) == escalation_id).values({column: None})
        )


def _overflow(
    engine: Engine, config: EscalationConfig, desk: AgentDesk, escalation_id: int, now: datetime
) -> int:
    with session_scope(engine) as session:
        escalation = session.get(Escalation, escalation_id)
        assert escalation is not None
        waited = _minutes_since(escalation.created_at, now)
        window = config.claim_window_minutes(escalation.tier)
        note = f"Unclaimed for {waited} min ({escalation.tier} window {window} min)."
        card = replace(
            build_card(session, escalation, config, thread_url=None),
            routing_note=note,
            mentions=tuple(config.leads),
        )
        conversation = session.get(Conversation, escalation.conversation_id)
        assert conversation is not None
        already_in_overflow = escalation.card_channel == config.overflow_channel
        channel, thread = conversation.channel_id, conversation.thread_ts
    try:
        if already_in_overflow:
            leads = " ".join(f"<@{lead}>" for lead in config.leads)
            desk.post_notice(
                channel=config.overflow_channel, text=f"{leads} Escalation #{escalation_id}: {note}"
            )
            return 1
        card = replace(card, thread_url=desk.permalink(channel=channel, ts=thread))
        card = with_account_facts(card, config, channel)
        ts = desk.post_card(channel=config.overflow_channel, card=card)
    except Exception:
        _release(engine, escalation_id, step="overflow")
        raise
    with session_scope(engine) as session:
        session.execute(
            update(Escalation)
            .where(col(Escalation.id) == escalation_id)
            .values(overflow_card_ts=ts)
        )
    logger.info("escalation %s overflowed after %d min", escalation_id, waited)
    return 1


def _alert_leads(
    engine: Engine, config: EscalationConfig, desk: AgentDesk, escalation_id: int, now: datetime
) -> int:
    with session_scope(engine) as session:
        escalation = session.get(Escalation, escalation_id)
        assert escalation is not None
        account = session.get(Account, escalation.account_id)
        conversation = session.get(Conversation, escalation.conversation_id)
        assert account is not None and conversation is not None
        waited = _minutes_since(escalation.created_at, now)
        channel, thread, skill = conversation.channel_id, conversation.thread_ts, escalation.skill
        name, tier = account.name, account.tier
    link = desk.permalink(channel=channel, ts=thread)
    where = f" <{link}|Open the thread>" if link else ""
    try:
        desk.post_notice(
            channel=config.leads_channel,
            text=(
                f"Escalation #{escalation_id} from {name} ({tier}, {skill}) is still unclaimed "
                f"after {waited} min, also in <#{config.overflow_channel}>.{where}"
            ),
        )
    except Exception:
        _release(engine, escalation_id, step="leads")
        raise
    return 1


def _minutes_since(start: datetime, now: datetime) -> int:
    return max(0, int((now - as_utc(start)).total_seconds() // 60))
