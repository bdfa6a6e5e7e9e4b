"""The segment that escalates most, against the overall rate, in one GROUP BY query."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from sqlalchemy import ColumnElement, case, func, literal, null, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from app.metrics.day_counts import day_count_rows
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
    rolled_up: bool = True,
) -> AnySelect:
    """Conversations opened in the window, grouped by the account's tier or by the skill of
    their intent (``"area"``); the overall rate comes from window functions over the groups, so
    it counts every conversation (also those without an intent, or in small groups). They are
    summed from the day rollup, or with ``rolled_up=False`` counted from ``conversations``.

    ``skill_of_intent`` (intent id -> skill) is needed to rank areas or to rank within an area.
    """
    if skill_of_intent is None:
        if dimension == "area" or within.area is not None:
            raise ValueError("areas need skill_of_intent (intent id -> skill)")
        skill_of_intent = {}
    if dimension == "tier":
        if within.tier is not None:
            raise ValueError("cannot rank tiers within a single tier")
    elif dimension == "area":
        if within.area is not None:
            raise ValueError("cannot rank areas within a single area")
    else:
        raise ValueError(f"unknown dimension {dimension!r} (tier or area)")
    rows = (
        _rolled_up_rows(window, dimension, skill_of_intent, within)
        if rolled_up
        else _conversation_rows(window, dimension, skill_of_intent, within)
    )
    groups = (
        select(
            rows.c.name,
            func.sum(rows.c.n).label("n"),
            func.sum(rows.c.e).label("e"),
            func.sum(func.sum(rows.c.n)).over().label("total_n"),
            func.sum(func.sum(rows.c.e)).over().label("total_e"),
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


def _group_key(
    dimension: Dimension,
    skill_of_intent: Mapping[str, str],
    *,
    tier: ColumnElement[Any],
    intent: ColumnElement[Any],
) -> ColumnElement[Any]:
    if dimension == "tier":
        return tier
    return case(dict(skill_of_intent), value=intent) if skill_of_intent else null()


def _conversation_rows(
    window: Window, dimension: Dimension, skill_of_intent: Mapping[str, str], within: Segment
) -> Subquery:
    """One row per conversation of the window: its group, 1, and 1 if it escalated."""
    conv = CONVERSATIONS.c
    tier, intent = ACCOUNTS.c.tier, conv.intent
    labelled = (
        select(
            _group_key(dimension, skill_of_intent, tier=tier, intent=intent).label("name"),
            literal(1).label("n"),
            case((conv.escalated_at.is_not(None), 1), else_=0).label("e"),
        )
        .select_from(CONVERSATIONS)
        .where(
            conv.created_at >= window.start,
            conv.created_at < window.end,
            *conversation_clauses(
                within, skill_of_intent, tier=tier, intent=intent, team=conv.team_id
            ),
        )
    )
    if dimension == "tier" or within.tier is not None:
        labelled = labelled.join(ACCOUNTS, ACCOUNTS.c.id == conv.account_id)
    return labelled.subquery("labelled")


def _rolled_up_rows(
    window: Window, dimension: Dimension, skill_of_intent: Mapping[str, str], within: Segment
) -> Subquery:
    """The day rollup's rows of the window (and partial-day edges) with their group."""
    rows = day_count_rows(window)
    tier, intent = rows.c.tier, rows.c.intent
    return (
        select(
            _group_key(dimension, skill_of_intent, tier=tier, intent=intent).label("name"),
            rows.c.conversations.label("n"),
            rows.c.escalated.label("e"),
        )
        .where(
            *conversation_clauses(
                within, skill_of_intent, tier=tier, intent=intent, team=rows.c.team_id
            )
        )
        .subquery("labelled")
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
