"""The KPI report as rows, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from app.config_file import KpiTargetsConfig
from app.db.engine import session_scope
from app.intents import DEFAULT_SKILL_MAP
from app.metrics.export import FIELDS, MEASURES, kpi_rows, render_csv, render_json
from app.metrics.kpi_queries import KpiValues
from app.metrics.kpis import KpiReport, Segment, compute_kpis, window_for
from app.metrics.targets import check_targets
from app.metrics.worst import WorstSegment
from sandbox.seed import seed_demo_data

NOW = datetime(2026, 5, 1, tzinfo=UTC)
CURRENT, PREVIOUS = window_for(30, NOW)
TARGETS = KpiTargetsConfig(escalation_rate_max=0.2, csat_mean_min=4.5)

VALUES = KpiValues(
    window=CURRENT,
    conversations=200,
    escalated_conversations=50,
    contained_conversations=90,
    escalation_rate=0.25,
    containment_rate=0.45,
    resolved_escalations=40,
    resolution_median_s=5400.0,
    resolution_p90_s=36_000.0,
    claimed_escalations=45,
    claim_median_s=270.0,
    csat_responses=12,
    csat_mean=4.25,
    csat_satisfied_share=0.75,
    escalations=50,
    repeat_escalations=5,
    repeat_rate=0.1,
)
EMPTY = KpiValues(PREVIOUS, 0, 0, 0, None, None, 0, None, None, 0, None, 0, None, None, 0, 0, None)


def report(previous: KpiValues | None = EMPTY) -> KpiReport:
    return KpiReport(
        segment=Segment(tier="enterprise"),
        repeat_days=14,
        current=VALUES,
        previous=previous,
        targets=check_targets(VALUES, TARGETS),
        worst_tier=None,
        worst_area=WorstSegment("billing", 0.5, 0.25),
    )


def by_kpi(rows: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {row["kpi"]: row for row in rows}


def test_one_row_per_measure_with_units() -> None:
    rows = by_kpi(kpi_rows(report()))
    assert list(rows) == [measure.name for measure in MEASURES]
    assert rows["conversations"]["value"] == 200
    assert rows["resolution_median_hours"]["value"] == pytest.approx(1.5)
    assert rows["resolution_p90_hours"]["value"] == pytest.approx(10.0)
    assert rows["claim_median_minutes"]["value"] == pytest.approx(4.5)
    assert rows["claim_median_minutes"]["unit"] == "minutes"
    assert rows["escalation_rate"]["segment_tier"] == "enterprise"
    assert rows["escalation_rate"]["segment_area"] is None
    assert rows["escalation_rate"]["window_start"] == CURRENT.start.isoformat()
    assert rows["escalation_rate"]["previous_end"] == PREVIOUS.end.isoformat()


def test_rows_carry_previous_values_deltas_and_targets() -> None:
    before = replace(VALUES, window=PREVIOUS, escalation_rate=0.3, csat_mean=None)
    rows = by_kpi(kpi_rows(report(before)))
    rate = rows["escalation_rate"]
    assert (rate["previous"], rate["delta"]) == (0.3, pytest.approx(-0.05))
    assert (rate["target"], rate["target_bound"], rate["met"]) == (0.2, "max", False)
    csat = rows["csat_mean"]
    assert (csat["previous"], csat["delta"]) == (None, None)
    assert (csat["target"], csat["target_bound"], csat["met"]) == (4.5, "min", False)
    assert rows["containment_rate"]["met"] is None  # no target set
    assert rows["conversations"]["target_bound"] is None  # counts have no target


def test_without_a_previous_window() -> None:
    rows = by_kpi(kpi_rows(report(previous=None)))
    assert rows["escalation_rate"]["previous"] is None
    assert rows["escalation_rate"]["previous_start"] is None


def test_csv_has_a_header_and_empty_cells_for_missing_values() -> None:
    text = render_csv(report())
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert tuple(parsed[0]) == FIELDS
    assert len(parsed) == len(MEASURES)
    rate = next(row for row in parsed if row["kpi"] == "escalation_rate")
    assert (rate["value"], rate["previous"], rate["met"], rate["target"]) == (
        "0.25",
        "",
        "false",
        "0.2",
    )
    assert rate["segment_area"] == ""


def test_json_document() -> None:
    document = json.loads(render_json(report()))
    assert document["segment"] == {"tier": "enterprise", "area": None}
    assert document["window"] == {"start": CURRENT.start.isoformat(), "end": NOW.isoformat()}
    assert document["previous_window"]["end"] == CURRENT.start.isoformat()
    assert document["repeat_days"] == 14
    assert document["worst_segments"] == {
        "tier": None,
        "area": {"name": "billing", "escalation_rate": 0.5, "overall_rate": 0.25},
    }
    kpis = {row["kpi"]: row for row in document["kpis"]}
    assert kpis["csat_mean"] == {
        "kpi": "csat_mean",
        "unit": "rating",
        "value": 4.25,
        "previous": None,
        "delta": None,
        "target": 4.5,
        "target_bound": "min",
        "met": False,
    }


def test_exports_of_a_computed_report_agree(engine: Engine) -> None:
    seed_demo_data(engine=engine, conversations=300, now=NOW, days=60)
    with session_scope(engine) as session:
        computed = compute_kpis(
            session=session,
            current=CURRENT,
            previous=PREVIOUS,
            segment=Segment(),
            repeat_days=14,
            skill_of_intent=DEFAULT_SKILL_MAP,
            targets=TARGETS,
        )
    from_csv = list(csv.DictReader(io.StringIO(render_csv(computed))))
    from_json = json.loads(render_json(computed))["kpis"]
    assert [row["kpi"] for row in from_csv] == [row["kpi"] for row in from_json]
    for csv_row, json_row in zip(from_csv, from_json, strict=True):
        expected = "" if json_row["value"] is None else json_row["value"]
        assert csv_row["value"] == str(expected)
    conversations = next(row for row in from_json if row["kpi"] == "conversations")
    assert conversations["value"] == computed.current.conversations > 0
