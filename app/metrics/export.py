"""The KPI report as rows, CSV and JSON (``escalation-bot stats --format csv|json``).

One row per measure: its value in the window, in the previous window and the difference, and
for the five KPIs the target and whether it is met. Durations are in hours (resolution) and
minutes (claim), rates and shares are fractions in [0, 1]; an empty cell / ``null`` means there
was nothing to measure.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.metrics.kpi_queries import KpiValues
from app.metrics.kpis import KpiReport
from app.metrics.windows import Window
from app.metrics.worst import WorstSegment

DECIMALS = 6


@dataclass(frozen=True)
class Measure:
    name: str
    unit: str
    read: Callable[[KpiValues], float | None]


def _scaled(attribute: str, divisor: float) -> Callable[[KpiValues], float | None]:
    def read(values: KpiValues) -> float | None:
        value: float | None = getattr(values, attribute)
        return None if value is None else value / divisor

    return read


def _plain(attribute: str) -> Callable[[KpiValues], float | None]:
    return _scaled(attribute, 1)


MEASURES: tuple[Measure, ...] = (
    Measure("conversations", "count", _plain("conversations")),
    Measure("escalated_conversations", "count", _plain("escalated_conversations")),
    Measure("contained_conversations", "count", _plain("contained_conversations")),
    Measure("escalation_rate", "ratio", _plain("escalation_rate")),
    Measure("containment_rate", "ratio", _plain("containment_rate")),
    Measure("resolved_escalations", "count", _plain("resolved_escalations")),
    Measure("resolution_median_hours", "hours", _scaled("resolution_median_s", 3600)),
    Measure("resolution_p90_hours", "hours", _scaled("resolution_p90_s", 3600)),
    Measure("claimed_escalations", "count", _plain("claimed_escalations")),
    Measure("claim_median_minutes", "minutes", _scaled("claim_median_s", 60)),
    Measure("csat_responses", "count", _plain("csat_responses")),
    Measure("csat_mean", "rating", _plain("csat_mean")),
    Measure("csat_satisfied_share", "ratio", _plain("csat_satisfied_share")),
    Measure("escalations", "count", _plain("escalations")),
    Measure("repeat_escalations", "count", _plain("repeat_escalations")),
    Measure("repeat_rate", "ratio", _plain("repeat_rate")),
)

MEASURE_FIELDS = ("kpi", "unit", "value", "previous", "delta", "target", "target_bound", "met")
#: Repeated on every row of the flat export; said once in the JSON document.
CONTEXT_FIELDS = (
    "segment_tier",
    "segment_area",
    "window_start",
    "window_end",
    "previous_start",
    "previous_end",
)
FIELDS: tuple[str, ...] = MEASURE_FIELDS + CONTEXT_FIELDS


def kpi_rows(report: KpiReport) -> list[dict[str, Any]]:
    """One flat row per measure, with the segment and windows repeated (ready for a sheet)."""
    targets = {check.kpi: check for check in report.targets}
    previous_window = report.previous.window if report.previous is not None else None
    rows = []
    for measure in MEASURES:
        value = measure.read(report.current)
        before = measure.read(report.previous) if report.previous is not None else None
        check = targets.get(measure.name)
        rows.append(
            {
                "kpi": measure.name,
                "unit": measure.unit,
                "value": _number(value, measure.unit),
                "previous": _number(before, measure.unit),
                "delta": _number(
                    None if value is None or before is None else value - before, measure.unit
                ),
                "target": check.target if check is not None else None,
                "target_bound": check.bound if check is not None else None,
                "met": check.met if check is not None else None,
                "segment_tier": report.segment.tier,
                "segment_area": report.segment.area,
                "window_start": report.current.window.start.isoformat(),
                "window_end": report.current.window.end.isoformat(),
                "previous_start": _iso(previous_window, start=True),
                "previous_end": _iso(previous_window, start=False),
            }
        )
    return rows


def render_csv(report: KpiReport) -> str:
    """The rows as CSV with a header; empty cells for missing values, ``true``/``false``."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in kpi_rows(report):
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return out.getvalue()


def render_json(report: KpiReport) -> str:
    """The report as a JSON document: segment, windows, worst segments, one entry per measure."""
    document = {
        "segment": {"tier": report.segment.tier, "area": report.segment.area},
        "window": _window(report.current.window),
        "previous_window": _window(report.previous.window) if report.previous else None,
        "repeat_days": report.repeat_days,
        "worst_segments": {
            "tier": _worst(report.worst_tier),
            "area": _worst(report.worst_area),
        },
        "kpis": [{key: row[key] for key in MEASURE_FIELDS} for row in kpi_rows(report)],
    }
    return json.dumps(document, indent=2)


def _number(value: float | None, unit: str) -> float | int | None:
    if value is None:
        return None
    return int(value) if unit == "count" else round(value, DECIMALS)


def _iso(window: Window | None, *, start: bool) -> str | None:
    if window is None:
        return None
    return (window.start if start else window.end).isoformat()


def _window(window: Window) -> dict[str, str]:
    return {"start": window.start.isoformat(), "end": window.end.isoformat()}


def _worst(worst: WorstSegment | None) -> dict[str, Any] | None:
    if worst is None:
        return None
    return {
        "name": worst.name,
        "escalation_rate": round(worst.escalation_rate, DECIMALS),
        "overall_rate": round(worst.overall_rate, DECIMALS),
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
