"""The KPI report a lead asks for: one query object in, one report out (the caller's session)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.config_file import EscalationConfig
from app.metrics.kpis import KpiReport, Segment, compute_kpis, window_for
from app.metrics.stats_query import StatsQuery


def kpi_report(
    *,
    session: Session,
    config: EscalationConfig,
    query: StatsQuery,
    now: datetime,
    team_id: str | None,
) -> KpiReport:
    """The report of one installation's data (``team_id``; None: every workspace)."""
    current, previous = window_for(query.days, now)
    return compute_kpis(
        session=session,
        current=current,
        previous=previous,
        segment=Segment(tier=query.tier, area=query.area, team_id=team_id),
        repeat_days=config.reports.repeat_window_days,
        skill_of_intent=config.taxonomy.skill_map,
        targets=config.reports.targets,
    )


def stats_areas(config: EscalationConfig) -> set[str]:
    """What ``area:`` accepts: the skills and the intents."""
    return set(config.skills) | set(config.taxonomy.ids)
