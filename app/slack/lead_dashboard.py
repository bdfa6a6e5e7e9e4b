"""The support lead's App Home dashboard: the aggregates, the trend chart uploaded to Slack, and
the blocks that show them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from slack_sdk.models.blocks import Block
from sqlalchemy.orm import Session

from app.metrics.dashboard import (
    daily_escalation_rates,
    knowledge_gap_queue_size,
    open_escalations_by_age,
    top_escalation_intents,
)
from app.metrics.trend_chart import render_trend_png
from app.metrics.windows import Window
from app.slack.blocks.dashboard import dashboard_blocks, trend_alt_text
from app.slack.chart_upload import upload_chart
from app.slack.gateway import SlackConnection

logger = logging.getLogger(__name__)

DASHBOARD_DAYS = 30
TOP_INTENTS = 5
CHART_FILENAME = "escalation-rate-trend.png"


def rate_points(
    rates: Sequence[tuple[date, int, int]],
) -> list[tuple[date, float | None]]:
    """``(day, conversations, escalated)`` as ``(day, escalation rate in percent)``; None on
    days without conversations."""
    return [
        (day, escalated * 100.0 / conversations if conversations else None)
        for day, conversations, escalated in rates
    ]


def _chart_png(points: Sequence[tuple[date, float | None]], title: str) -> bytes | None:
    try:
        return render_trend_png(points, title=title)
    except Exception:  # the chart is optional: the dashboard renders without it
        logger.warning("Trend chart not rendered", exc_info=True)
        return None


def build_lead_dashboard(
    *, session: Session, client: SlackConnection, now: datetime, team_id: str
) -> list[Block]:
    """One installation's dashboard blocks as of ``now`` (last :data:`DASHBOARD_DAYS` days);
    the trend chart is uploaded privately and shown by file id, or left out when that fails."""
    window = Window(now - timedelta(days=DASHBOARD_DAYS), now)
    top_intents = top_escalation_intents(
        session=session, window=window, limit=TOP_INTENTS, team_id=team_id
    )
    by_age = open_escalations_by_age(session=session, now=now, team_id=team_id)
    gap_queue_size = knowledge_gap_queue_size(session=session, team_id=team_id)
    rates = daily_escalation_rates(session=session, days=DASHBOARD_DAYS, now=now, team_id=team_id)
    points = rate_points(rates)
    title = f"Escalation rate, last {DASHBOARD_DAYS} days (UTC)"
    png = _chart_png(points, title)
    chart = (
        upload_chart(client, png=png, filename=CHART_FILENAME, title=title)
        if png is not None
        else None
    )
    return dashboard_blocks(
        top_intents=top_intents,
        by_age=by_age,
        gap_queue_size=gap_queue_size,
        chart=chart,
        days=DASHBOARD_DAYS,
        chart_alt_text=trend_alt_text(points, days=DASHBOARD_DAYS),
    )
