"""Delivers a surge's customer notices from the outbox into a customer channel, with the token of
the installation it belongs to; the client paces posts per channel and waits out 429s."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.db.models import utcnow
from app.delivery.outcomes import Delivered
from app.runtime import Runtime
from app.slack.blocks.customer_handoff import plain_message_blocks
from app.slack.gateway import ClientForTeam, SlackConnection, delivering_to, gateway_for
from app.slack.mrkdwn import escape
from app.slack.sent_lookup import find_keyed_message, keyed_metadata
from app.slack.surge_alerts import SlackSurgeAlerts
from app.surge.notices import NoticeRequest, NoticeSender, deliver_requested
from app.team_scope import TeamScope

SURGE_NOTICE_EVENT = "surge_notice"


class SlackSurgeNoticeSender:
    """Posts ``payload["text"]`` (escaped) in ``payload["channel"]``, marked with the notice's
    key; from the second attempt on, the channel is read first: a message carrying the key
    there was posted by an attempt whose process died before recording it."""

    def __init__(self, clients: SlackConnection | ClientForTeam) -> None:
        self._clients = clients

    def send_attempt(self, payload: dict[str, Any], key: str, *, attempt: int) -> Delivered:
        channel = str(payload["channel"])
        slack = gateway_for(self._clients, payload.get("team_id"), where=channel)
        safe = escape(str(payload["text"]))
        with delivering_to(channel):
            if attempt > 1:
                since = datetime.fromisoformat(str(payload["requested_at"]))
                found = find_keyed_message(slack, channel=channel, key=key, since=since)
                if found is not None:
                    return Delivered(external_id=found)
            posted = slack.post_message(
                channel=channel,
                text=safe,
                blocks=plain_message_blocks(safe),
                unfurl_links=False,
                metadata=keyed_metadata(SURGE_NOTICE_EVENT, key),
            )
        return Delivered(external_id=posted.ts)


def surge_notice_sender(runtime: Runtime, clients: SlackConnection | ClientForTeam) -> NoticeSender:
    """The outbox sender of surge notices: each with its installation's playbook and token."""
    return NoticeSender(
        engine=runtime.engine,
        config_for=lambda team_id: runtime.for_team(TeamScope(team_id)).config,
        post=SlackSurgeNoticeSender(clients),
    )


def post_requested_notices(
    *, runtime: Runtime, client: SlackConnection, request: NoticeRequest
) -> None:
    """The notices a lead's request stored, posted by the lead's process after the ack; the
    leads channel hears the outcome once none is left."""
    report = deliver_requested(
        engine=runtime.engine,
        request=request,
        sender=surge_notice_sender(runtime, client),
        now=utcnow(),
    )
    if report:
        SlackSurgeAlerts(client, channel=runtime.config.leads_channel).announce(report)
