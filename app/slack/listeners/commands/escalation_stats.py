"""``/escalation-stats [days]``: conversation activity, for leads and agents."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from app.db.engine import session_scope
from app.metrics.activity import activity_summary, parse_window_days
from app.slack.blocks.stats import stats_blocks
from app.slack.middleware.runtime import runtime_of


def escalation_stats(
    ack: Ack, command: dict[str, Any], context: BoltContext, respond: Respond
) -> None:
    runtime = runtime_of(context)
    user_id = str(command.get("user_id") or "")
    if not (runtime.config.is_lead(user_id) or runtime.config.is_agent(user_id)):
        ack(text="Only support leads and agents can see escalation stats.")
        return
    try:
        days = parse_window_days(str(command.get("text") or ""))
    except ValueError as exc:
        ack(text=f"{exc}. Try `/escalation-stats 7d` or `/escalation-stats 30d`.")
        return
    ack()
    with session_scope(runtime.engine) as session:
        summary = activity_summary(session=session, days=days)
    blocks = stats_blocks(summary)
    respond(
        response_type="ephemeral",
        text=f"Escalation stats, last {days} days",
        blocks=[block.to_dict() for block in blocks],
    )
