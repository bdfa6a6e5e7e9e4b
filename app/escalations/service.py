"""Escalation state changes: open (routed), claim exactly once, reassign, resolve, follow up later.

Each change is one conditional UPDATE on the escalation row, so concurrent clicks from several
agents (or web processes) change it once; the losers learn who won.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.config_file import EscalationConfig
from app.db.engine import session_scope
from app.db.escalations import on_shift_agents
from app.db.models import Account, Conversation, Escalation, as_utc
from app.domain.customers import customer_may_act
from app.escalations.card import RESOLUTION_TAGS
from app.escalations.thread_notices import queue_joined, queue_resolution
from app.knowledge_gaps.queue import record_gap
from app.routing.router import RoutingDecision, route


@dataclass(frozen=True)
class Change:
    """The result of a click: whether it changed the escalation, and what to tell the clicker."""

    changed: bool
    notice: str
    escalation_id: int | None = None


def open_escalation(
    *,
    session: Session,
    config: EscalationConfig,
    conversation: Conversation,
    account: Account,
    skill: str,
    language: str,
    decision_id: int | None,
    page_url: str | None,
    now: datetime,
) -> Escalation:
    """Route and store a new escalation (before anything is posted)."""
    assert conversation.id is not None and account.id is not None
    routing = route(
        skill=skill,
        language=language,
        tier=account.tier,
        arr=account.arr,
        config=config,
        on_shift=on_shift_agents(session=session, config=config),
    )
    escalation = Escalation(
        team_id=conversation.team_id,
        conversation_id=conversation.id,
        decision_id=decision_id,
        account_id=account.id,
        skill=routing.skill,
        language=language,
        tier=account.tier,
        claim_deadline=now + timedelta(minutes=config.claim_window_minutes(account.tier)),
        page_url=page_url,
        created_at=now,
        updated_at=now,
        **_routing_fields(routing),
    )
    session.add(escalation)
    session.flush()
    return escalation


def _routing_fields(routing: RoutingDecision) -> dict[str, Any]:
    return {
        "routed_channel": routing.channel,
        "overflow": routing.overflow,
        "routing_reasons": json.dumps(list(routing.reasons)),
        "mentions": ",".join(routing.mentions),
    }


def claim(
    *, engine: Engine, config: EscalationConfig, escalation_id: int, user_id: str, now: datetime
) -> Change:
    if not config.is_agent(user_id):
        return Change(False, "Only support agents can claim escalations.")
    with session_scope(engine) as session:
        result = session.execute(
            update(Escalation)
            .where(
                col(Escalation.id) == escalation_id,
                col(Escalation.status) == "pending",
                col(Escalation.claimed_by).is_(None),
            )
            .values(status="claimed", claimed_by=user_id, claimed_at=now, updated_at=now)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            claimed = session.get_one(Escalation, escalation_id)
            queue_joined(session=session, config=config, escalation=claimed, now=now)
            return Change(True, "You claimed this escalation.", escalation_id)
        row = session.get(Escalation, escalation_id)
    if row is None:
        return Change(False, "This escalation no longer exists.")
    if row.status == "resolved":
        return Change(False, f"Already resolved by <@{row.resolved_by}>.", escalation_id)
    if row.claimed_by == user_id:
        return Change(False, "You already claimed this escalation.", escalation_id)
    return Change(False, f"Already claimed by <@{row.claimed_by}>.", escalation_id)


def resolve(
    *,
    engine: Engine,
    config: EscalationConfig,
    escalation_id: int,
    user_id: str,
    tag: str,
    note: str,
    now: datetime,
    and_then: Callable[[Session], None] | None = None,
) -> Change:
    """Resolve a claimed escalation (its owner only); ``and_then`` runs in the same transaction
    once it is resolved (e.g. filing a bug report with it)."""
    if tag not in RESOLUTION_TAGS:
        return Change(False, "Pick why it needed a human.")
    if not config.is_agent(user_id):
        return Change(False, "Only support agents can resolve escalations.")
    with session_scope(engine) as session:
        row = session.get(Escalation, escalation_id)
        if row is None:
            return Change(False, "This escalation no longer exists.")
        if row.status == "resolved":
            return Change(False, f"Already resolved by <@{row.resolved_by}>.", escalation_id)
        if row.claimed_by != user_id:
            owner = f"<@{row.claimed_by}>" if row.claimed_by else "nobody yet"
            return Change(False, f"Claimed by {owner}: only the owner can resolve it.")
        result = session.execute(
            update(Escalation)
            .where(
                col(Escalation.id) == escalation_id,
                col(Escalation.status) == "claimed",
                col(Escalation.claimed_by) == user_id,
            )
            .values(
                status="resolved",
                resolved_by=user_id,
                resolved_at=now,
                resolution_tag=tag,
                resolution_note=note.strip()[:2000] or None,
                updated_at=now,
            )
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return Change(False, "This escalation was just resolved.", escalation_id)
        session.refresh(row)
        conversation = session.get(Conversation, row.conversation_id)
        if conversation is not None:
            conversation.status = "resolved"
            conversation.updated_at = now
            session.add(conversation)
        # Stored with the resolution: none is lost if the process dies before posting them.
        record_gap(session=session, escalation_id=escalation_id)  # only for ai_knowledge_gap
        queue_resolution(session=session, config=config, escalation=row, now=now)
        if and_then is not None:
            and_then(session)
    return Change(True, "Resolved.", escalation_id)


def reassign(
    *,
    engine: Engine,
    config: EscalationConfig,
    escalation_id: int,
    user_id: str,
    skill: str,
    now: datetime,
) -> Change:
    """Send the escalation to another skill's channel: re-routed, unclaimed, a fresh window."""
    if not (config.is_agent(user_id) or config.is_lead(user_id)):
        return Change(False, "Only support agents can reassign escalations.")
    if skill not in config.skills:
        return Change(False, f"Unknown skill {skill!r}.")
    with session_scope(engine) as session:
        row = session.get(Escalation, escalation_id)
        if row is None:
            return Change(False, "This escalation no longer exists.")
        if row.status == "resolved":
            return Change(False, f"Already resolved by <@{row.resolved_by}>.", escalation_id)
        if row.skill == skill:
            return Change(False, f"It is already with {skill}.", escalation_id)
        account = session.get(Account, row.account_id)
        assert account is not None
        routing = route(
            skill=skill,
            language=row.language,
            tier=row.tier,
            arr=account.arr,
            config=config,
            on_shift=on_shift_agents(session=session, config=config),
        )
        result = session.execute(
            update(Escalation)
            .where(col(Escalation.id) == escalation_id, col(Escalation.skill) == row.skill)
            .values(
                skill=routing.skill,
                status="pending",
                claimed_by=None,
                claimed_at=None,
                card_ts=None,
                card_channel=None,
                card_attempts=0,
                overflow_card_ts=None,
                overflowed_at=None,
                leads_alerted_at=None,
                claim_deadline=now + timedelta(minutes=config.claim_window_minutes(row.tier)),
                updated_at=now,
                **_routing_fields(routing),
            )
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return Change(False, "It was just reassigned by someone else.", escalation_id)
    return Change(True, f"Reassigned to {skill}.", escalation_id)


def follow_up_later(
    *,
    engine: Engine,
    config: EscalationConfig,
    conversation_id: int,
    user_id: str,
    user_team: str | None,
    now: datetime,
) -> Change:
    """The customer would rather not wait: the claim window becomes the async follow-up SLA."""
    with session_scope(engine) as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            return Change(False, "This conversation no longer exists.")
        if not customer_may_act(conversation, user_id=user_id, user_team=user_team):
            return Change(False, "Only the customer who asked can choose this.")
        row = session.exec(
            select(Escalation).where(
                col(Escalation.conversation_id) == conversation_id,
                col(Escalation.status) == "pending",
            )
        ).first()
        if row is None:
            return Change(False, "Someone from our team is already on it.")
        if row.follow_up_later:
            return Change(False, "We'll follow up here.", row.id)
        deadline = as_utc(row.created_at) + timedelta(minutes=config.sla.async_minutes)
        result = session.execute(
            update(Escalation)
            .where(col(Escalation.id) == row.id, col(Escalation.follow_up_later).is_(False))
            .values(
                follow_up_later=True,
                follow_up_at=now,
                claim_deadline=max(deadline, as_utc(row.claim_deadline)),
                updated_at=now,
            )
        )
        changed = bool(result.rowcount)  # type: ignore[attr-defined]
        return Change(changed, "We'll follow up here.", row.id)
