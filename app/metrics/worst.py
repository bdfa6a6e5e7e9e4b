"""The segment that escalates most, against the overall rate, in one GROUP BY query."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from sqlalchemy import case, func, null, select
from sqlalchemy.orm import Session

from app.metrics.segments import Segment, conversation_clauses
from app.metrics.sql import AnySelect, ratio
from app.metrics.tables import ACCOUNTS, CONVERSATIONS
from app.metrics.windows import Window

Dimension = Literal["tier", "area"]
#: Fewer conversations than this and a segment's rate is noise, not a finding.
MIN_SEGMENT_CONVERSATIONS = 20


class WorstSegment(NamedTuple):
    """E.g. ``("enterprise", 0.40, 0.15)``: enterprise escalates at 40% vs 15% overall."""

    name: str
    escalation_rate: float
    overall_rate: float


def worst_segment_statement(
    window: Window,
    dimension: Dimension = "tier",
    *,
    skill_of_intent: Mapping[str, str] | None = None,
    within: Segment = Segment(),  # noqa: B008 - frozen, never mutated
    min_conversations: int = MIN_SEGMENT_CONVERSATIONS,
) -> AnySelect:
    """Conversations opened in the window, grouped by the account's tier or by the skill of
    their intent (``"area"``); the overall rate comes from window functions over the groups, so
    it counts every conversation (also those without an intent, or in small groups).

    ``skill_of_intent`` (intent id -> skill) is needed to rank areas or to rank within an area.
    """
    if skill_of_intent is None:
        if dimension == "area" or within.area is not None:
            raise ValueError("areas need skill_of_intent (intent id -> skill)")
        skill_of_intent = {}
    conv = CONVERSATIONS.c
    if dimension == "tier":
        if within.tier is not None:
            raise ValueError("cannot rank tiers within a single tier")
        key: Any = ACCOUNTS.c.tier
    elif dimension == "area":
        if within.area is not None:
            raise ValueError("cannot rank areas within a single area")
        key = case(dict(skill_of_intent), value=conv.intent) if skill_of_intent else null()
    else:
        raise ValueError(f"unknown dimension {dimension!r} (tier or area)")
    labelled = (
        select(key.label("name"), conv.escalated_at)
        .select_from(CONVERSATIONS)
        .where(
            conv.created_at >= window.start,
            conv.created_at < window.end,
            *conversation_clauses(
                within,
                skill_of_intent,
                tier=ACCOUNTS.c.tier,
                intent=conv.intent,
                team=conv.team_id,
            ),
        )
    )
    if dimension == "tier" or within.tier is not None:
        labelled = labelled.join(ACCOUNTS, ACCOUNTS.c.id == conv.account_id)
    rows = labelled.subquery("labelled")
    escalated = func.sum(case((rows.c.escalated_at.is_not(None), 1), else_=0))
    groups = (
        select(
            rows.c.name,
            func.count().label("n"),
            escalated.label("e"),
            func.sum(func.count()).over().label("total_n"),
            func.sum(escalated).over().label("total_e"),
        )
        .group_by(rows.c.name)
        .subquery("groups")
    )
    rate = ratio(groups.c.e, groups.c.n)
    overall = ratio(groups.c.total_e, groups.c.total_n)
    return (
        select(groups.c.name, rate, overall)
        .where(groups.c.name.is_not(None), groups.c.n >= min_conversations, rate > overall)
        .order_by(rate.desc(), groups.c.n.desc(), groups.c.name)
        .limit(1)
    )


def worst_segment(
    session: Session,
    window: Window,
    dimension: Dimension = "tier",
    *,
    skill_of_intent: Mapping[str, str] | None = None,
    within: Segment = Segment(),  # noqa: B008 - frozen, never mutated
    min_conversations: int = MIN_SEGMENT_CONVERSATIONS,
) -> WorstSegment | None:
    """The tier (or area: the skill of the intent) with the highest escalation rate, if it is
    above the overall rate and has at least ``min_conversations`` conversations; else None."""
    row = session.execute(
        worst_segment_statement(
            window,
            dimension,
            skill_of_intent=skill_of_intent,
            within=within,
            min_conversations=min_conversations,
        )
    ).first()
    if row is None:
        return None
    name, rate, overall = row
    return WorstSegment(str(name), float(rate), float(overall))
