"""Publishes a person's App Home tab: their role, shift switch (agents) and the activity."""

from __future__ import annotations

import logging

from slack_sdk.models.blocks import DividerBlock
from sqlalchemy import func
from sqlmodel import col, select

from app.db.engine import session_scope
from app.db.escalations import on_shift_agents
from app.db.models import Escalation, utcnow
from app.metrics.activity import activity_summary
from app.metrics.report import kpi_report
from app.metrics.stats_query import StatsQuery
from app.routing.claim_order import claim_queue
from app.runtime import Runtime
from app.slack.blocks.agent_home import agent_home_view
from app.slack.blocks.claim_queue import claim_queue_blocks
from app.slack.blocks.dashboard import without_chart
from app.slack.blocks.kpi_report import kpi_report_blocks
from app.slack.gateway import SlackConnection, SlackRefusedError, gateway_of
from app.slack.lead_dashboard import build_lead_dashboard

logger = logging.getLogger(__name__)


def publish_home(*, client: SlackConnection, runtime: Runtime, user_id: str) -> None:
    slack = gateway_of(client)
    config = runtime.config
    agent = config.agent(user_id)
    role = "lead" if config.is_lead(user_id) else "agent" if agent else "member"
    team_id = runtime.team.team_id
    with session_scope(runtime.engine) as session:
        summary = activity_summary(session=session, days=7, team_id=team_id)
        on_shift = user_id in on_shift_agents(session=session, config=config) if agent else None
        queue = (
            claim_queue(session=session, config=config, team_id=team_id, now=utcnow())
            if role != "member"
            else None
        )
        open_count = session.exec(
            select(func.count(col(Escalation.id))).where(
                col(Escalation.status).in_(["pending", "claimed"]),
                col(Escalation.team_id) == team_id,
            )
        ).one()
    view = agent_home_view(
        role=role,
        on_shift=on_shift,
        skills=list(agent.skills) if agent else [],
        languages=list(agent.languages) if agent else [],
        summary=summary,
        open_escalations=int(open_count),
    )
    if queue is not None:
        view.blocks = [*view.blocks, DividerBlock(), *claim_queue_blocks(queue)]
    if role == "lead":
        now = utcnow()
        with session_scope(runtime.engine) as session:
            report = kpi_report(
                session=session,
                config=config,
                query=StatsQuery(days=30),
                now=now,
                team_id=team_id,
            )
            dashboard = build_lead_dashboard(
                session=session, client=slack, now=now, team_id=team_id
            )
        extra = kpi_report_blocks(report, title="Escalation KPIs, last 30 days")
        view.blocks = [*view.blocks, DividerBlock(), *extra, DividerBlock(), *dashboard][:100]
    try:
        slack.publish_home(user_id=user_id, view=view)
    except SlackRefusedError as refusal:
        error = refusal.error
        if error == "invalid_blocks" and role == "lead":
            # A chart uploaded moments ago may not be usable yet: publish without it.
            view.blocks = without_chart(view.blocks)
            try:
                slack.publish_home(user_id=user_id, view=view)
                return
            except SlackRefusedError as again:
                error = again.error
        logger.warning("App Home for %s not published: %s", user_id, error)
