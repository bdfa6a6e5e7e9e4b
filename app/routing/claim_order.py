"""The order in which waiting escalations are to be claimed.

Normally the queue is first come, first served. While a surge playbook runs, its ``priority``
(tiers, highest first: enterprise, pro, free by default) comes first and age second, so that
agents pick up the accounts that matter most when they cannot pick up everyone. This one order
drives the queue agents see in App Home, the order in which the claim-window sweep reminds, and
the customer's place in the queue and wait estimate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_
from sqlmodel import Session, col, select

from app.config_file import EscalationConfig
from app.db.models import Account, Escalation, as_utc
from app.surge.service import active_surge


def claim_priority(*, session: Session, config: EscalationConfig, team_id: str) -> tuple[str, ...]:
    """The installation's running playbook's tier order, or () when no playbook runs (first
    come, first served)."""
    surge = active_surge(session=session, team_id=team_id)
    playbook = config.surge.playbooks.get(surge.playbook) if surge is not None else None
    return tuple(playbook.priority) if playbook is not None else ()


def tier_rank(priority: Sequence[str]) -> ColumnElement[int]:
    """0 for the first tier of ``priority``, 1 for the next, ...; tiers it omits come last."""
    if not priority:
        return literal(0)
    return case(
        {tier: rank for rank, tier in enumerate(priority)},
        value=col(Escalation.tier),
        else_=len(priority),
    )


def claim_order(priority: Sequence[str]) -> list[ColumnElement[Any]]:
    """ORDER BY terms: tier rank while surging, then age (oldest first), then id."""
    return [tier_rank(priority), col(Escalation.created_at).asc(), col(Escalation.id).asc()]


def waiting_queue(
    *,
    session: Session,
    team_id: str,
    priority: Sequence[str],
    skill: str | None = None,
    limit: int = 20,
) -> list[Escalation]:
    """An installation's unclaimed escalations (of one skill, or all) in claim order."""
    query = select(Escalation).where(
        col(Escalation.team_id) == team_id, col(Escalation.status) == "pending"
    )
    if skill is not None:
        query = query.where(col(Escalation.skill) == skill)
    return list(session.exec(query.order_by(*claim_order(priority)).limit(limit)))


def queue_ahead(*, session: Session, escalation: Escalation, priority: Sequence[str]) -> int:
    """How many unclaimed escalations of the same skill come before this one in claim order."""
    created = as_utc(escalation.created_at)
    older = or_(
        col(Escalation.created_at) < created,
        and_(col(Escalation.created_at) == created, col(Escalation.id) < (escalation.id or 0)),
    )
    rank = tier_rank(priority)
    own_rank = _rank_of(escalation.tier, priority)
    before = or_(rank < own_rank, and_(rank == own_rank, older)) if priority else older
    count = session.exec(
        select(func.count(col(Escalation.id))).where(
            col(Escalation.team_id) == escalation.team_id,
            col(Escalation.skill) == escalation.skill,
            col(Escalation.status) == "pending",
            col(Escalation.id) != escalation.id,
            before,
        )
    ).one()
    return int(count)


def _rank_of(tier: str, priority: Sequence[str]) -> int:
    return list(priority).index(tier) if tier in priority else len(priority)


@dataclass(frozen=True)
class WaitingEscalation:
    escalation_id: int
    account: str
    tier: str
    skill: str
    minutes_waiting: int


@dataclass(frozen=True)
class ClaimQueue:
    playbook: str | None  # the playbook ordering the queue, None: first come, first served
    rows: list[WaitingEscalation]  # the first few, in claim order
    total: int


def claim_queue(
    *, session: Session, config: EscalationConfig, team_id: str, now: datetime, limit: int = 10
) -> ClaimQueue:
    """What an installation's agents see: its escalations waiting for a claim, in the order to
    take them."""
    surge = active_surge(session=session, team_id=team_id)
    priority = claim_priority(session=session, config=config, team_id=team_id)
    waiting = waiting_queue(session=session, team_id=team_id, priority=priority, limit=limit)
    names = dict(
        session.exec(
            select(Account.id, Account.name).where(
                col(Account.id).in_([e.account_id for e in waiting])
            )
        ).all()
    )
    total = session.exec(
        select(func.count(col(Escalation.id))).where(
            col(Escalation.team_id) == team_id, col(Escalation.status) == "pending"
        )
    ).one()
    rows = [
        WaitingEscalation(
            escalation_id=e.id or 0,
            account=names.get(e.account_id, "?"),
            tier=e.tier,
            skill=e.skill,
            minutes_waiting=max(0, int((now - as_utc(e.created_at)).total_seconds() // 60)),
        )
        for e in waiting
    ]
    return ClaimQueue(surge.playbook if surge and priority else None, rows, int(total))
