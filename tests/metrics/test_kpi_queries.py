"""The report's fast path (day rollup, duration indexes, repeats of both windows in one pass)
gives exactly what the direct aggregates over the base tables give, on generated history with
windows that start and end mid-day, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.intents import DEFAULT_SKILL_MAP
from app.metrics.kpi_queries import (
    CLAIM_TIMES,
    CONVERSATION_COUNTS,
    CSAT,
    REPEATS,
    RESOLUTION_TIMES,
    KpiQueryContext,
    repeats_statement,
    window_statements,
)
from app.metrics.kpis import Segment, compute_kpis, window_for
from app.metrics.worst import worst_segment_statement
from sandbox.seed import seed_demo_data

SEEDED_UNTIL = datetime(2026, 5, 1, tzinfo=UTC)
ASKED_AT = SEEDED_UNTIL - timedelta(hours=5, minutes=21)
SEGMENTS = [
    Segment(),
    Segment(tier="enterprise"),
    Segment(area="billing"),
    Segment(area="billing_dispute"),
    Segment(tier="pro", area="technical"),
]


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    seed_demo_data(engine=engine, conversations=3_000, now=SEEDED_UNTIL, seed=11)
    return engine


def direct_row(session: Session, ctx: KpiQueryContext, window: object, name: str) -> list[object]:
    statement = window_statements(ctx, window, rolled_up=False)[name]  # type: ignore[arg-type]
    return list(session.execute(statement).one())


@pytest.mark.parametrize("segment", SEGMENTS, ids=lambda segment: segment.label)
@pytest.mark.parametrize("days", [7, 30])
def test_report_equals_the_direct_aggregates(seeded: Engine, segment: Segment, days: int) -> None:
    current, previous = window_for(days, ASKED_AT)
    with Session(seeded) as session:
        ctx = KpiQueryContext(
            dialect=seeded.dialect.name,
            segment=segment,
            repeat_days=14,
            skill_of_intent=DEFAULT_SKILL_MAP,
        )
        report = compute_kpis(
            session=session,
            current=current,
            previous=previous,
            segment=segment,
            repeat_days=14,
            skill_of_intent=DEFAULT_SKILL_MAP,
        )
        assert report.previous is not None
        for values, window in ((report.current, current), (report.previous, previous)):
            got = asdict(values)
            expected = {
                name: direct_row(session, ctx, window, name)
                for name in (CONVERSATION_COUNTS, RESOLUTION_TIMES, CLAIM_TIMES, CSAT, REPEATS)
            }
            assert values.conversations > 0
            assert [
                got["conversations"],
                got["escalated_conversations"],
                got["contained_conversations"],
            ] == expected[CONVERSATION_COUNTS][:3]
            assert [
                got["resolved_escalations"],
                got["resolution_median_s"],
                got["resolution_p90_s"],
            ] == pytest.approx(expected[RESOLUTION_TIMES])
            assert [got["claimed_escalations"], got["claim_median_s"]] == pytest.approx(
                expected[CLAIM_TIMES]
            )
            assert [got["escalations"], got["repeat_escalations"]] == expected[REPEATS][:2]
            assert got["csat_responses"] == expected[CSAT][0]
        for dimension, worst in (("tier", report.worst_tier), ("area", report.worst_area)):
            if (segment.tier if dimension == "tier" else segment.area) is not None:
                continue
            direct = session.execute(
                worst_segment_statement(
                    current,
                    dimension,  # type: ignore[arg-type]
                    skill_of_intent=DEFAULT_SKILL_MAP,
                    within=segment,
                    rolled_up=False,
                )
            ).first()
            assert (None if worst is None else tuple(worst)) == (
                None if direct is None else pytest.approx(tuple(direct))
            )


def test_repeats_of_several_windows_equal_one_window_at_a_time(seeded: Engine) -> None:
    current, previous = window_for(30, ASKED_AT)
    ctx = KpiQueryContext(
        dialect=seeded.dialect.name,
        segment=Segment(),
        repeat_days=14,
        skill_of_intent=DEFAULT_SKILL_MAP,
    )
    with Session(seeded) as session:
        both = list(session.execute(repeats_statement(ctx, current, previous)).one())
        one = list(session.execute(repeats_statement(ctx, current)).one())
        other = list(session.execute(repeats_statement(ctx, previous)).one())
    assert both == pytest.approx(one + other)
    assert both[1] > 0


def test_repeats_need_a_window() -> None:
    ctx = KpiQueryContext(
        dialect="sqlite", segment=Segment(), repeat_days=14, skill_of_intent=DEFAULT_SKILL_MAP
    )
    with pytest.raises(ValueError, match="at least one window"):
        repeats_statement(ctx)


def test_repeat_windows_must_not_overlap() -> None:
    ctx = KpiQueryContext(
        dialect="sqlite", segment=Segment(), repeat_days=14, skill_of_intent=DEFAULT_SKILL_MAP
    )
    current, _previous = window_for(30, ASKED_AT)
    with pytest.raises(ValueError, match="overlap"):
        repeats_statement(ctx, current, current)
