"""The weekly KPI digest to the leads channel."""

from __future__ import annotations

import logging
from datetime import datetime

from app.db.engine import session_scope
from app.metrics.report import kpi_report
from app.metrics.stats_query import StatsQuery
from app.runtime import Runtime
from app.slack.blocks.kpi_report import kpi_report_blocks
from app.slack.gateway import SlackConnection, gateway_of
from app.slack.sent_lookup import DIGEST_EVENT, keyed_metadata
from app.worker.scheduled_slots import SlotSend

logger = logging.getLogger(__name__)


def post_leads_digest(
    *, runtime: Runtime, client: SlackConnection, now: datetime, send: SlotSend | None = None
) -> str:
    """Post last week's KPIs of the runtime's installation (against the week before) to its
    ``leads_channel``, marked with the slot's key; returns the ts (the one already in Slack
    when a worker that died had posted it)."""
    if send is not None and send.posted_ts is not None:
        return send.posted_ts
    with session_scope(runtime.engine) as session:
        report = kpi_report(
            session=session,
            config=runtime.config,
            query=StatsQuery(days=7),
            now=now,
            team_id=runtime.team.team_id,
        )
    title = "Weekly escalation digest: last 7 days"
    blocks = kpi_report_blocks(report, title=title)
    posted = gateway_of(client).post_message(
        channel=runtime.config.leads_channel,
        text=title,
        blocks=blocks,
        unfurl_links=False,
        metadata=keyed_metadata(DIGEST_EVENT, send.key) if send else None,
    )
    logger.info("weekly digest posted to %s", runtime.config.leads_channel)
    return posted.ts
