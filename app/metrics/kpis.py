"""The five escalation KPIs of a window, beside the previous window and the targets.

* escalation rate: escalated conversations / conversations opened in the window;
* containment rate: conversations the bot solved without a person (status ``contained``: the
  customer said the answer solved it) / conversations opened in the window;
* resolution time: median and p90 of ``resolved_at - created_at`` of the escalations resolved in
  the window, with the median time to claim of those claimed in it;
* post-escalation CSAT: mean rating, share of 4-5 and responses (kind ``escalation`` only);
* repeat escalation rate: escalations whose account had another escalation with the same
  intent in the ``repeat_days`` days before, / escalations created in the window.

Everything is aggregated in SQL (see :mod:`app.metrics.kpi_queries` for the exact definitions
and :mod:`app.metrics.segments` for how a segment filters each table).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.config_file import KpiTargetsConfig
from app.metrics.kpi_queries import KpiQueryContext, KpiValues, window_values
from app.metrics.segments import Segment
from app.metrics.targets import TargetCheck, check_targets
from app.metrics.windows import Window, window_for
from app.metrics.worst import (
    MIN_SEGMENT_CONVERSATIONS,
    Dimension,
    WorstSegment,
    worst_segment,
)

__all__ = [
    "KPI_NAMES",
    "KpiReport",
    "KpiValues",
    "Segment",
    "TargetCheck",
    "Window",
    "WorstSegment",
    "compute_kpis",
    "window_for",
    "worst_segment",
]

#: The KPI values of :class:`KpiValues` that have a delta against the previous window.
KPI_NAMES: tuple[str, ...] = (
    "escalation_rate",
    "containment_rate",
    "resolution_median_s",
    "resolution_p90_s",
    "claim_median_s",
    "csat_mean",
    "csat_satisfied_share",
    "repeat_rate",
)


@dataclass(frozen=True)
class KpiReport:
    segment: Segment
    repeat_days: int
    current: KpiValues
    previous: KpiValues | None
    targets: tuple[TargetCheck, ...]
    worst_tier: WorstSegment | None  # None when the segment fixes the tier
    worst_area: WorstSegment | None  # None when the segment fixes the area

    def value(self, kpi: str, *, previous: bool = False) -> float | None:
        if kpi not in KPI_NAMES:
            raise KeyError(kpi)
        values = self.previous if previous else self.current
        if values is None:
            return None
        result: float | None = getattr(values, kpi)
        return result

    def delta(self, kpi: str) -> float | None:
        """Current minus previous; None when either is missing."""
        now, before = self.value(kpi), self.value(kpi, previous=True)
        return None if now is None or before is None else now - before

    def target(self, kpi: str) -> TargetCheck:
        for check in self.targets:
            if check.kpi == kpi:
                return check
        raise KeyError(kpi)


def compute_kpis(
    *,
    session: Session,
    current: Window,
    previous: Window | None,
    segment: Segment,
    repeat_days: int,
    skill_of_intent: Mapping[str, str],
    targets: KpiTargetsConfig | None = None,
    min_segment_conversations: int = MIN_SEGMENT_CONVERSATIONS,
) -> KpiReport:
    """The KPIs of ``segment`` in ``current`` (and ``previous``), checked against ``targets``,
    with the worst tier and area of the current window within the segment's other dimension."""
    ctx = KpiQueryContext(
        dialect=session.get_bind().dialect.name,
        segment=segment,
        repeat_days=repeat_days,
        skill_of_intent=skill_of_intent,
    )
    values, *others = window_values(
        session, ctx, *((current,) if previous is None else (current, previous))
    )
    before = others[0] if others else None
    dimensions: tuple[tuple[Dimension, str | None], ...] = (
        ("tier", segment.tier),
        ("area", segment.area),
    )
    worst = {
        dimension: worst_segment(
            session,
            current,
            dimension,
            skill_of_intent=skill_of_intent,
            within=segment,
            min_conversations=min_segment_conversations,
        )
        for dimension, fixed in dimensions
        if fixed is None
    }
    return KpiReport(
        segment=segment,
        repeat_days=repeat_days,
        current=values,
        previous=before,
        targets=check_targets(values, targets or KpiTargetsConfig()),
        worst_tier=worst.get("tier"),
        worst_area=worst.get("area"),
    )
