"""The CSAT comment modal is submitted."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext

from app.csat.service import add_comment
from app.db.models import utcnow
from app.slack.middleware.runtime import runtime_of


def csat_comment_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    values = (view.get("state") or {}).get("values") or {}
    comment = str(((values.get("comment") or {}).get("comment") or {}).get("value") or "")
    try:
        rating_id = int(str(view.get("private_metadata") or ""))
    except ValueError:
        ack(response_action="errors", errors={"comment": "This form is no longer valid."})
        return
    user = body.get("user") or {}
    result = add_comment(
        engine=runtime_of(context).engine,
        rating_id=rating_id,
        comment=comment,
        user_id=str(user.get("id") or ""),
        user_team=user.get("team_id"),
        now=utcnow(),
    )
    if not result.changed:
        ack(response_action="errors", errors={"comment": result.notice})
        return
    ack()
