"""The KPIs beside their targets from the config file (``reports.targets``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.config_file import KpiTargetsConfig
from app.metrics.kpi_queries import KpiValues

Bound = Literal["max", "min"]
SECONDS_PER_HOUR = 3600


@dataclass(frozen=True)
class TargetCheck:
    """One KPI against its target: ``met`` is None without a target or without a value."""

    kpi: str
    actual: float | None
    target: float | None
    bound: Bound  # "max": the value must not exceed the target; "min": must reach it

    @property
    def met(self) -> bool | None:
        if self.actual is None or self.target is None:
            return None
        return self.actual <= self.target if self.bound == "max" else self.actual >= self.target


def check_targets(values: KpiValues, targets: KpiTargetsConfig) -> tuple[TargetCheck, ...]:
    """Every KPI that can have a target, in the config's order (the resolution time in hours)."""
    median_s = values.resolution_median_s
    resolution_hours = None if median_s is None else median_s / SECONDS_PER_HOUR
    return (
        TargetCheck("escalation_rate", values.escalation_rate, targets.escalation_rate_max, "max"),
        TargetCheck(
            "containment_rate", values.containment_rate, targets.containment_rate_min, "min"
        ),
        TargetCheck(
            "resolution_median_hours",
            resolution_hours,
            targets.resolution_hours_median_max,
            "max",
        ),
        TargetCheck("csat_mean", values.csat_mean, targets.csat_mean_min, "min"),
        TargetCheck("repeat_rate", values.repeat_rate, targets.repeat_rate_max, "max"),
    )
