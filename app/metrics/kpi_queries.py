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

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import DateTime, func, select, type_coerce
from sqlalchemy.orm import Session

from app.metrics.segments import Segment, conversation_clauses, escalation_clauses
from app.metrics.sql import (
    SECONDS_PER_DAY,
    AnySelect,
    count_if,
    duration_seconds,
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


def conversation_counts_statement(ctx: KpiQueryContext, window: Window) -> AnySelect:
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


def _escalations_in_segment(stmt: AnySelect, ctx: KpiQueryContext) -> AnySelect:
    esc = ESCALATIONS.c
    if ctx.segment.area_is_intent(ctx.skill_of_intent):
        stmt = stmt.join(CONVERSATIONS, CONVERSATIONS.c.id == esc.conversation_id)
    return stmt.where(
        *escalation_clauses(
            ctx.segment,
            ctx.skill_of_intent,
            tier=esc.tier,
            skill=esc.skill,
            intent=CONVERSATIONS.c.intent,
            team=esc.team_id,
        )
    )


def resolution_times_statement(ctx: KpiQueryContext, window: Window) -> AnySelect:
    esc = ESCALATIONS.c
    values = select(duration_seconds(ctx.dialect, esc.resolved_at, esc.created_at)).where(
        esc.resolved_at >= window.start, esc.resolved_at < window.end
    )
    values = _escalations_in_segment(values.select_from(ESCALATIONS), ctx)
    return percentile_select(values, (50, 90), dialect=ctx.dialect)


def claim_times_statement(ctx: KpiQueryContext, window: Window) -> AnySelect:
    esc = ESCALATIONS.c
    values = select(duration_seconds(ctx.dialect, esc.claimed_at, esc.created_at)).where(
        esc.claimed_at >= window.start, esc.claimed_at < window.end
    )
    values = _escalations_in_segment(values.select_from(ESCALATIONS), ctx)
    return percentile_select(values, (50,), dialect=ctx.dialect)


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


def repeats_statement(ctx: KpiQueryContext, window: Window) -> AnySelect:
    """The previous escalation of the same account and intent comes from ``LAG`` over the
    escalations since ``repeat_days`` before the window: one sort, no per-row subquery."""
    esc = ESCALATIONS.c
    lookback = window.start - timedelta(days=ctx.repeat_days)
    previous_at = func.lag(esc.created_at).over(
        partition_by=(esc.account_id, CONVERSATIONS.c.intent),
        order_by=(esc.created_at, esc.id),
    )
    history = (
        select(
            esc.created_at,
            esc.tier,
            esc.skill,
            esc.team_id,
            CONVERSATIONS.c.intent,
            type_coerce(previous_at, DateTime(timezone=True)).label("previous_at"),
        )
        .select_from(ESCALATIONS)
        .join(CONVERSATIONS, CONVERSATIONS.c.id == esc.conversation_id)
        .where(esc.created_at >= lookback, esc.created_at < window.end)
        .subquery("history")
    )
    gap = duration_seconds(ctx.dialect, history.c.created_at, history.c.previous_at)
    repeat = (
        history.c.intent.is_not(None)
        & history.c.previous_at.is_not(None)
        & (gap <= ctx.repeat_days * SECONDS_PER_DAY)
    )
    total = func.count()
    repeats = count_if(repeat)
    return select(total, repeats, ratio(repeats, total)).where(
        history.c.created_at >= window.start,
        *escalation_clauses(
            ctx.segment,
            ctx.skill_of_intent,
            tier=history.c.tier,
            skill=history.c.skill,
            intent=history.c.intent,
            team=history.c.team_id,
        ),
    )


def window_statements(ctx: KpiQueryContext, window: Window) -> dict[str, AnySelect]:
    """Every aggregate query behind one window's KPIs, by name."""
    return {
        CONVERSATION_COUNTS: conversation_counts_statement(ctx, window),
        RESOLUTION_TIMES: resolution_times_statement(ctx, window),
        CLAIM_TIMES: claim_times_statement(ctx, window),
        CSAT: csat_statement(ctx, window),
        REPEATS: repeats_statement(ctx, window),
    }


def window_values(session: Session, ctx: KpiQueryContext, window: Window) -> KpiValues:
    """Run the window's queries: five single-row aggregates."""
    rows = {
        name: session.execute(statement).one()
        for name, statement in window_statements(ctx, window).items()
    }
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
