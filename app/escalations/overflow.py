"""The claim-window sweep, run by the worker: an escalation nobody claimed in its tier's window
is re-posted to the overflow channel with the leads mentioned; after a second window the leads
channel is told.

Each reminder is sent exactly once, even when its worker is killed (SIGKILL) at any point. The
step is taken by one conditional UPDATE, which also marks the reminder ``sending`` with its
holder and time (two workers overlapping during a deploy never both take it); the post carries
the reminder's key in its Slack message metadata; then the reminder is marked ``sent``. A
reminder still ``sending`` after ``REMINDER_LEASE`` was left by a worker that died: the next
sweep first looks for the key in the channel's history since the send was taken. Found, the
reminder is marked sent without posting (Slack had accepted the post); not found, it is posted
now. ``tests/worker/test_worker_killed.py`` kills real worker processes at both points."""

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
from app.db.reminder_sends import (
    StaleSend,
    finish_send,
    stale_sends,
    start_send,
    take_over_send,
)
from app.escalations.handoff import AgentDesk, build_card, with_account_facts
from app.escalations.unclaimed_alert import queue_unclaimed_alert
from app.process_identity import this_worker
from app.routing.claim_order import claim_order, claim_priority
from app.team_scope import SINGLE_WORKSPACE_TEAM_ID

logger = logging.getLogger(__name__)
BATCH = 50
# A reminder ``sending`` this long was left by a worker that died: the sweep (every 30 s) then
# settles it, so a restarted worker recovers a reminder within about a minute and a half.
REMINDER_LEASE = timedelta(minutes=1)


def reminder_key(escalation_id: int, step: str, taken_at: datetime) -> str:
    """The stable key of one reminder (a reassigned escalation's next round gets a new one)."""
    return f"escalation-{escalation_id}-{step}-{int(as_utc(taken_at).timestamp() * 1000)}"


def sweep_overflow(
    *,
    engine: Engine,
    config: EscalationConfig,
    desk: AgentDesk,
    now: datetime,
    team_id: str | None = None,
    holder: str | None = None,
) -> int:
    """Settle reminders a dead worker left half-sent, then handle every escalation past a
    window (of the installation ``team_id``, if given); returns how many reminders were sent."""
    holder = holder or this_worker()
    sent = _recover(engine, config, desk, now, team_id=team_id, holder=holder)
    for escalation_id in _due(engine, now, step="overflow", config=config, team_id=team_id):
        key = _take(engine, escalation_id, now, step="overflow", holder=holder, config=config)
        if key:
            sent += _overflow(engine, config, desk, escalation_id, now, key=key)
    for escalation_id in _due(engine, now, step="leads", config=config, team_id=team_id):
        key = _take(engine, escalation_id, now, step="leads", holder=holder)
        if key:
            sent += _alert_leads(engine, config, desk, escalation_id, now, key=key)
    return sent


def _recover(
    engine: Engine,
    config: EscalationConfig,
    desk: AgentDesk,
    now: datetime,
    *,
    team_id: str | None,
    holder: str,
) -> int:
    """Each reminder whose holder died while sending: marked sent if Slack has it, else sent."""
    with session_scope(engine) as session:
        stale = stale_sends(session=session, now=now, lease=REMINDER_LEASE, team_id=team_id)
    sent = 0
    for send in stale:
        with session_scope(engine) as session:
            if not take_over_send(
                session=session, send=send, holder=holder, now=now, lease=REMINDER_LEASE
            ):
                continue
            escalation = session.get(Escalation, send.escalation_id)
            column = "overflowed_at" if send.step == "overflow" else "leads_alerted_at"
            moot = escalation is None or escalation.status != "pending"
            if moot or getattr(escalation, column) is None:  # claimed or reassigned since
                finish_send(
                    session=session,
                    escalation_id=send.escalation_id,
                    step=send.step,
                    now=now,
                    ts=None,
                    status="dropped",
                )
                continue
            as_card = escalation is not None and escalation.card_channel != config.overflow_channel
        try:
            sent += _settle(engine, config, desk, send, now, as_card=as_card)
        except Exception:  # still ``sending``: tried again after another lease
            logger.exception("reminder %s not settled", send.key)
    return sent


def _settle(
    engine: Engine,
    config: EscalationConfig,
    desk: AgentDesk,
    send: StaleSend,
    now: datetime,
    *,
    as_card: bool,
) -> int:
    channel = config.overflow_channel if send.step == "overflow" else config.leads_channel
    ts = desk.find_sent(channel=channel, key=send.key, since=as_utc(send.taken_at))
    if ts is None:
        logger.info("reminder %s was not posted by its dead worker: posting it", send.key)
        post = _overflow if send.step == "overflow" else _alert_leads
        return post(engine, config, desk, send.escalation_id, now, key=send.key)
    logger.info("reminder %s was posted by its dead worker: marked sent", send.key)
    card = send.step == "overflow" and as_card
    _sent(engine, send.escalation_id, step=send.step, now=now, ts=ts, card=card)
    return 0


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
    holder: str,
    config: EscalationConfig | None = None,
) -> str | None:
    """The reminder's key when this worker took the step (marked ``sending``), else None."""
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
        if not result.rowcount:  # type: ignore[attr-defined]
            return None
        key = reminder_key(escalation_id, step, now)
        start_send(
            session=session,
            escalation_id=escalation_id,
            step=step,
            key=key,
            holder=holder,
            now=now,
        )
        if config is not None:  # the team alert, once, with the step that owes it
            queue_unclaimed_alert(
                session=session, config=config, escalation_id=escalation_id, now=now
            )
        return key


def _sent(
    engine: Engine, escalation_id: int, *, step: str, now: datetime, ts: str, card: bool = False
) -> None:
    """The reminder is in Slack: ``sent`` (and an overflow card's ts kept, to update it)."""
    with session_scope(engine) as session:
        if card:
            session.execute(
                update(Escalation)
                .where(col(Escalation.id) == escalation_id)
                .values(overflow_card_ts=ts)
            )
        finish_send(session=session, escalation_id=escalation_id, step=step, now=now, ts=ts)


def _overflow(
    engine: Engine,
    config: EscalationConfig,
    desk: AgentDesk,
    escalation_id: int,
    now: datetime,
    *,
    key: str,
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
    # A failed post leaves the reminder ``sending``: it is settled (looked for, posted if
    # missing) after the lease, so even a post that timed out after Slack took it is not doubled.
    if already_in_overflow:
        leads = " ".join(f"<@{lead}>" for lead in config.leads)
        ts = desk.post_notice(
            channel=config.overflow_channel,
            text=f"{leads} Escalation #{escalation_id}: {note}",
            key=key,
        )
        _sent(engine, escalation_id, step="overflow", now=now, ts=ts)
        return 1
    card = replace(card, thread_url=desk.permalink(channel=channel, ts=thread))
    card = with_account_facts(card, config, channel)
    ts = desk.post_card(channel=config.overflow_channel, card=card, key=key)
    _sent(engine, escalation_id, step="overflow", now=now, ts=ts, card=True)
    logger.info("escalation %s overflowed after %d min", escalation_id, waited)
    return 1


def _alert_leads(
    engine: Engine,
    config: EscalationConfig,
    desk: AgentDesk,
    escalation_id: int,
    now: datetime,
    *,
    key: str,
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
    ts = desk.post_notice(
        channel=config.leads_channel,
        text=(
            f"Escalation #{escalation_id} from {name} ({tier}, {skill}) is still unclaimed "
            f"after {waited} min, also in <#{config.overflow_channel}>.{where}"
        ),
        key=key,
    )
    _sent(engine, escalation_id, step="leads", now=now, ts=ts)
    return 1


def _minutes_since(start: datetime, now: datetime) -> int:
    return max(0, int((now - as_utc(start)).total_seconds() // 60))
