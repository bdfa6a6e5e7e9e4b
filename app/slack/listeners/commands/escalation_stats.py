"""``/escalation-stats [7d|30d|90d] [tier:…] [area:…]``: the five KPIs, for support leads.

Acknowledged at once (Slack's 3 seconds); the report follows through ``respond``.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from app.db.engine import session_scope
from app.db.models import utcnow
from app.metrics.report import kpi_report, stats_areas
from app.metrics.stats_query import USAGE, StatsArgumentError, parse_stats_query
from app.slack.blocks.kpi_report import kpi_report_blocks
from app.slack.middleware.runtime import runtime_of


def escalation_stats(
    ack: Ack, command: dict[str, Any], context: BoltContext, respond: Respond
) -> None:
    runtime = runtime_of(context)
    user_id = str(command.get("user_id") or "")
    if not runtime.config.is_lead(user_id):
        ack(text="Sorry, escalation stats are for support leads. Ask a lead to share them.")
        return
    try:
        query = parse_stats_query(str(command.get("text") or ""), areas=stats_areas(runtime.config))
    except StatsArgumentError as exc:
        ack(text=str(exc))
        return
    if query is None:
        ack(text=USAGE)
        return
    ack()
    with session_scope(runtime.engine) as session:
        report = kpi_report(
            session=session,
            config=runtime.config,
            query=query,
            now=utcnow(),
            team_id=runtime.team.team_id,
        )
    title = f"Escalation KPIs, {query.describe()}"
    respond(
        response_type="ephemeral",
        text=title,
        blocks=[block.to_dict() for block in kpi_report_blocks(report, title=title)],
    )
