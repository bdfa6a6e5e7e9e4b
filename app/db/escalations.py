"""Escalation and shift queries."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.config_file import EscalationConfig
from app.db.models import AgentShift, Escalation, utcnow

RECENT_CLAIMS = 20
RECENT_CLAIM_DAYS = 14


def on_shift_agents(*, session: Session, config: EscalationConfig) -> list[str]:
    """Configured agents who have not switched themselves off shift (config order)."""
    off = set(session.exec(select(AgentShift.user_id).where(col(AgentShift.on_shift).is_(False))))
    return [agent.user for agent in config.agents if agent.user not in off]


def set_shift(*, session: Session, user_id: str, on_shift: bool) -> None:
    row = session.get(AgentShift, user_id)
    if row is None:
        row = AgentShift(user_id=user_id, on_shift=on_shift)
    row.on_shift = on_shift
    row.updated_at = utcnow()
    session.add(row)


def open_escalation_for(*, session: Session, conversation_id: int) -> Escalation | None:
    return session.exec(
        select(Escalation).where(
            col(Escalation.conversation_id) == conversation_id,
            col(Escalation.status).in_(["pending", "claimed"]),
        )
    ).first()


def claimed_by_agent(*, session: Session, account_id: int, agent: str) -> Escalation | None:
    """The newest escalation of the account that ``agent`` has claimed and not resolved."""
    return session.exec(
        select(Escalation)
        .where(
            col(Escalation.account_id) == account_id,
            col(Escalation.claimed_by) == agent,
            col(Escalation.status) == "claimed",
        )
        .order_by(col(Escalation.id).desc())
        .limit(1)
    ).first()


def recent_claim_seconds(*, session: Session, skill: str, tier: str, now: datetime) -> list[float]:
    """How long the latest claims of this skill and tier took (at most 20, last 14 days)."""
    rows = session.exec(
        select(Escalation.created_at, Escalation.claimed_at)
        .where(
            col(Escalation.skill) == skill,
            col(Escalation.tier) == tier,
            col(Escalation.claimed_at).is_not(None),
            col(Escalation.created_at) >= now - timedelta(days=RECENT_CLAIM_DAYS),
        )
        .order_by(col(Escalation.claimed_at).desc())
        .limit(RECENT_CLAIMS)
    ).all()
    return [max(0.0, (claimed - created).total_seconds()) for created, claimed in rows if claimed]


def is_foreign_escalation(*, session: Session, escalation_id: int, team_id: str) -> bool:
    """Whether the escalation exists and belongs to another installation's workspace."""
    owner = session.exec(select(Escalation.team_id).where(Escalation.id == escalation_id)).first()
    return owner is not None and owner != team_id


def escalations_without_card(
    *, session: Session, older_than: datetime, limit: int = 20, team_id: str | None = None
) -> list[int]:
    """Escalations whose card never posted (of the installation ``team_id``, if given)."""
    teams = [col(Escalation.team_id) == team_id] if team_id is not None else []
    ids = session.exec(
        select(Escalation.id)
        .where(
            col(Escalation.card_ts).is_(None),
            col(Escalation.status) != "resolved",
            col(Escalation.created_at) < older_than,
            col(Escalation.card_attempts) < 10,
            *teams,
        )
        .order_by(col(Escalation.id))
        .limit(limit)
    ).all()
    return [escalation_id for escalation_id in ids if escalation_id is not None]


def escalation_for_decision(*, session: Session, decision_id: int | None) -> Escalation | None:
    if decision_id is None:
        return None
    return session.exec(
        select(Escalation).where(col(Escalation.decision_id) == decision_id)
    ).first()
