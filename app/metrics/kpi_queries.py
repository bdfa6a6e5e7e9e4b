"""The SQL behind the KPIs of one window: each KPI is one aggregate query, run in the database.

Definitions (window ``[start, end)``):

* conversations: opened in the window (``created_at``); of those, *escalated* ones were handed to
  a person (``escalated_at`` set, whatever happened next) and *contained* ones were solved by the
  bot without a person (status ``contained``: the customer said the answer solved it, and it was
  not escalated afterwards). Escalation rate and containment rate divide by all conversations
  opened in the window; a conversation opened near the end of the window may still escalate.
* resolution time: ``resolved_at - created_at`` of the escalations resolved in the window
  (median and p90); time to claim: ``claimed_at - created_at`` of those claimed in it (median).
* post-escalation CSAT: answered ratings of kind ``escalation`` rated in the window (``ai``
  ratings of bot answers are never mixed in): mean, share of 4-5, number of responses.
* repeat escalation rate: of the escalations created in the window, the share whose account had
  an earlier escalation with the same intent (the conversation's intent) at most ``repeat_days``
  days before. Escalations without an intent are never repeats.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from itertools import combinations
from typing import Any

from sqlalchemy import ColumnElement, DateTime, case, func, select, type_coerce
from sqlalchemy.orm import Session

from app.metrics.day_counts import day_count_rows
from app.metrics.percentiles import duration_percentiles
from app.metrics.segments import Segment, conversation_clauses, escalation_clauses
from app.metrics.sql import (
    SECONDS_PER_DAY,
    AnySelect,
    count_if,
    duration_seconds,
    not_searched,
    percentile_select,
    ratio,
)
from app.metrics.tables import ACCOUNTS, CONVERSATIONS, CSAT_RATINGS, ESCALATIONS
from app.metrics.windows import Window

CONVERSATION_COUNTS = "conversations"
RESOLUTION_TIMES = "resolution"
CLAIM_TIMES = "claim"
CSAT = "csat"
REPEATS = "repeat"
RESOLUTION_POINTS = (50, 90)
CLAIM_POINTS = (50,)


@dataclass(frozen=True)
class KpiValues:
    """The KPIs of one window and segment; a rate or time is None when nothing was measured."""

    window: Window
    conversations: int
    escalated_conversations: int
    contained_conversations: int
    escalation_rate: float | None
    containment_rate: float | None
    resolved_escalations: int
    resolution_median_s: float | None
    resolution_p90_s: float | None
    claimed_escalations: int
    claim_median_s: float | None
    csat_responses: int
    csat_mean: float | None
    csat_satisfied_share: float | None  # share of 4 and 5 ratings
    escalations: int
    repeat_escalations: int
    repeat_rate: float | None


@dataclass(frozen=True)
class KpiQueryContext:
    """What every KPI query of a window needs besides the window."""

    dialect: str
    segment: Segment
    repeat_days: int
    skill_of_intent: Mapping[str, str]

    def __post_init__(self) -> None:
        if self.repeat_days < 1:
            raise ValueError("repeat_days must be at least 1")


def conversation_counts_statement(
    ctx: KpiQueryContext, window: Window, *, rolled_up: bool = True
) -> AnySelect:
    """Conversations opened in the window, escalated and contained ones, and the two rates:
    summed from the day rollup (:mod:`app.metrics.day_counts`), or with ``rolled_up=False``
    counted from ``conversations`` directly (the same numbers, the reference aggregate)."""
    if rolled_up:
        rows = day_count_rows(window)
        total: ColumnElement[Any] = func.coalesce(func.sum(rows.c.conversations), 0)
        escalated: ColumnElement[Any] = func.coalesce(func.sum(rows.c.escalated), 0)
        contained: ColumnElement[Any] = func.coalesce(func.sum(rows.c.contained), 0)
        clauses = conversation_clauses(
            ctx.segment,
            ctx.skill_of_intent,
            tier=rows.c.tier,
            intent=rows.c.intent,
            team=rows.c.team_id,
        )
        return select(
            total, escalated, contained, ratio(escalated, total), ratio(contained, total)
        ).where(*clauses)
    conv = CONVERSATIONS.c
    total = func.count()
    escalated = count_if(conv.escalated_at.is_not(None))
    contained = count_if(conv.status == "contained")
    stmt = select(total, escalated, contained, ratio(escalated, total), ratio(contained, total))
    stmt = stmt.select_from(CONVERSATIONS)
    if ctx.segment.tier is not None:
        stmt = stmt.join(ACCOUNTS, ACCOUNTS.c.id == conv.account_id)
    return stmt.where(
        conv.created_at >= window.start,
        conv.created_at < window.end,
        *conversation_clauses(
            ctx.segment,
            ctx.skill_of_intent,
            tier=ACCOUNTS.c.tier,
            intent=conv.intent,
            team=conv.team_id,
        ),
    )


def escalation_segment_clauses(ctx: KpiQueryContext) -> list[ColumnElement[bool]]:
    """The segment's clauses on ``escalations`` (its ``intent`` is the conversation's)."""
    esc = ESCALATIONS.c
    return escalation_clauses(
        ctx.segment,
        ctx.skill_of_intent,
        tier=esc.tier,
        skill=esc.skill,
        intent=esc.intent,
        team=esc.team_id,
    )


def resolution_times_statement(ctx: KpiQueryContext, window: Window) -> AnySelect:
    esc = ESCALATIONS.c
    values = select(duration_seconds(ctx.dialect, esc.resolved_at, esc.created_at)).where(
        esc.resolved_at >= window.start,
        esc.resolved_at < window.end,
        *escalation_segment_clauses(ctx),
    )
    return percentile_select(values, RESOLUTION_POINTS, dialect=ctx.dialect)


def claim_times_statement(ctx: KpiQueryContext, window: Window) -> AnySelect:
    esc = ESCALATIONS.c
    values = select(duration_seconds(ctx.dialect, esc.claimed_at, esc.created_at)).where(
        esc.claimed_at >= window.start,
        esc.claimed_at < window.end,
        *escalation_segment_clauses(ctx),
    )
    return percentile_select(values, CLAIM_POINTS, dialect=ctx.dialect)


def csat_statement(ctx: KpiQueryContext, window: Window) -> AnySelect:
    csat = CSAT_RATINGS.c
    responses = func.count(csat.rating)
    satisfied = count_if(csat.rating >= 4)
    stmt = select(responses, ratio(func.sum(csat.rating), responses), ratio(satisfied, responses))
    stmt = stmt.select_from(CSAT_RATINGS)
    segment = ctx.segment
    by_intent = segment.area_is_intent(ctx.skill_of_intent)
    by_escalation = segment.area is not None and not by_intent
    if segment.tier is not None or segment.team_id is not None or by_escalation:
        stmt = stmt.join(ESCALATIONS, ESCALATIONS.c.id == csat.escalation_id)
    if by_intent:
        stmt = stmt.join(CONVERSATIONS, CONVERSATIONS.c.id == csat.conversation_id)
    return stmt.where(
        csat.kind == "escalation",
        csat.rating.is_not(None),
        csat.rated_at >= window.start,
        csat.rated_at < window.end,
        *escalation_clauses(
            segment,
            ctx.skill_of_intent,
            tier=ESCALATIONS.c.tier,
            skill=ESCALATIONS.c.skill,
            intent=CONVERSATIONS.c.intent,
            team=ESCALATIONS.c.team_id,
        ),
    )


def repeats_statement(ctx: KpiQueryContext, *windows: Window) -> AnySelect:
    """For each window: escalations created in it, repeats among them, and the repeat rate.

    The previous escalation of the same account and intent comes from ``LAG`` over the
    escalations since ``repeat_days`` before the earliest window (``escalations.intent`` is the
    conversation's), read in partition order from ``ix_escalations_repeat_history``: no sort,
    no join and no per-row subquery, for all the windows at once. (On SQLite the time range is
    then a filter over every escalation's index entry, not an index search.)"""
    if not windows:
        raise ValueError("repeats need at least one window")
    for one, other in combinations(windows, 2):
        if one.start < other.end and other.start < one.end:
            raise ValueError("repeat windows must not overlap")
    esc = ESCALATIONS.c
    lookback = min(window.start for window in windows) - timedelta(days=ctx.repeat_days)
    previous_at = func.lag(esc.created_at).over(
        partition_by=(esc.account_id, esc.intent), order_by=(esc.created_at, esc.id)
    )
    history = (
        select(
            esc.created_at,
            esc.intent,
            type_coerce(previous_at, DateTime(timezone=True)).label("previous_at"),
        )
        .where(
            not_searched(ctx.dialect, esc.created_at) >= lookback,
            not_searched(ctx.dialect, esc.created_at) < max(window.end for window in windows),
            *escalation_segment_clauses(ctx),
        )
        .subquery("history")
    )
    gap = duration_seconds(ctx.dialect, history.c.created_at, history.c.previous_at)
    repeat = (
        history.c.intent.is_not(None)
        & history.c.previous_at.is_not(None)
        & (gap <= ctx.repeat_days * SECONDS_PER_DAY)
    )
    # Each row's window and repeat flag are evaluated once (GROUP BY), then pivoted to one row.
    label = case(
        *(
            ((history.c.created_at >= window.start) & (history.c.created_at < window.end), index)
            for index, window in enumerate(windows)
        ),
        else_=None,
    ).label("window")
    grouped = (
        select(label, func.count().label("n"), count_if(repeat).label("repeats"))
        .where(history.c.created_at >= min(window.start for window in windows))
        .group_by(label)
        .subquery("grouped")
    )
    columns: list[ColumnElement[Any]] = []
    for index in range(len(windows)):
        mine = grouped.c.window == index
        total = func.coalesce(func.sum(case((mine, grouped.c.n), else_=0)), 0)
        repeats = func.coalesce(func.sum(case((mine, grouped.c.repeats), else_=0)), 0)
        columns += [total, repeats, ratio(repeats, total)]
    return select(*columns)


def window_statements(
    ctx: KpiQueryContext, window: Window, *, rolled_up: bool = True
) -> dict[str, AnySelect]:
    """Every aggregate query behind one window's KPIs, by name (``rolled_up=False``: the
    conversation counts straight from ``conversations``)."""
    return {
        CONVERSATION_COUNTS: conversation_counts_statement(ctx, window, rolled_up=rolled_up),
        RESOLUTION_TIMES: resolution_times_statement(ctx, window),
        CLAIM_TIMES: claim_times_statement(ctx, window),
        CSAT: csat_statement(ctx, window),
        REPEATS: repeats_statement(ctx, window),
    }


def window_values(session: Session, ctx: KpiQueryContext, *windows: Window) -> list[KpiValues]:
    """The KPIs of each window: the conversation counts summed from the day rollup, the
    percentiles of :func:`~app.metrics.percentiles.duration_percentiles`, CSAT, and the repeats
    of all the windows in one pass."""
    repeats = session.execute(repeats_statement(ctx, *windows)).one() if windows else ()
    clauses = escalation_segment_clauses(ctx)
    values = []
    for index, window in enumerate(windows):
        counts = session.execute(conversation_counts_statement(ctx, window)).one()
        resolved = duration_percentiles(
            session, end="resolved_at", window=window, points=RESOLUTION_POINTS, clauses=clauses
        )
        claimed = duration_percentiles(
            session, end="claimed_at", window=window, points=CLAIM_POINTS, clauses=clauses
        )
        csat = session.execute(csat_statement(ctx, window)).one()
        rows = {
            CONVERSATION_COUNTS: tuple(counts),
            RESOLUTION_TIMES: (resolved[0], *resolved[1]),
            CLAIM_TIMES: (claimed[0], *claimed[1]),
            CSAT: tuple(csat),
            REPEATS: tuple(repeats[3 * index : 3 * index + 3]),
        }
        values.append(_kpi_values(window, rows))
    return values


def _kpi_values(window: Window, rows: Mapping[str, Sequence[Any]]) -> KpiValues:
    conversations, escalated, contained, escalation_rate, containment_rate = rows[
        CONVERSATION_COUNTS
    ]
    resolved, resolution_median, resolution_p90 = rows[RESOLUTION_TIMES]
    claimed, claim_median = rows[CLAIM_TIMES]
    responses, csat_mean, satisfied_share = rows[CSAT]
    escalations, repeats, repeat_rate = rows[REPEATS]
    return KpiValues(
        window=window,
        conversations=int(conversations),
        escalated_conversations=int(escalated),
        contained_conversations=int(contained),
        escalation_rate=_float(escalation_rate),
        containment_rate=_float(containment_rate),
        resolved_escalations=int(resolved),
        resolution_median_s=_float(resolution_median),
        resolution_p90_s=_float(resolution_p90),
        claimed_escalations=int(claimed),
        claim_median_s=_float(claim_median),
        csat_responses=int(responses),
        csat_mean=_float(csat_mean),
        csat_satisfied_share=_float(satisfied_share),
        escalations=int(escalations),
        repeat_escalations=int(repeats),
        repeat_rate=_float(repeat_rate),
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
