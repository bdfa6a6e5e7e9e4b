"""Delivers thread notices (who joined, the closing message, the surveys) from the
outbox into the customer's thread, with the token of the installation they belong to."""

from __future__ import annotations

from typing import Any

from app.csat.service import ESCALATION
from app.delivery.outcomes import Delivered
from app.slack.gateway import ClientForTeam, SlackConnection, delivering_to, gateway_for
from app.slack.replier import SlackThreadReplier


class ThreadNoticeSender:
    """From the second attempt on, the thread is read first: a message carrying the notice's
    key there was posted by an attempt whose process died before recording it."""

    def __init__(self, clients: SlackConnection | ClientForTeam) -> None:
        self._clients = clients

    def send_attempt(self, payload: dict[str, Any], key: str, *, attempt: int) -> Delivered:
        channel, thread_ts = str(payload["channel"]), str(payload["thread_ts"])
        replier = SlackThreadReplier(
            gateway_for(self._clients, payload.get("team_id"), where=channel)
        )
        maybe_sent = attempt > 1
        with delivering_to(channel):
            if payload.get("rating_id") is not None:
                posted = replier.post_survey(
                    channel=channel,
                    thread_ts=thread_ts,
                    kind=str(payload.get("survey_kind") or ESCALATION),
                    rating_id=int(payload["rating_id"]),
                    key=key,
                    maybe_sent=maybe_sent,
                )
            else:
                text = str(payload.get("text") or "")
                posted = replier.post_text(
                    channel=channel, thread_ts=thread_ts, text=text, key=key, maybe_sent=maybe_sent
                )
        return Delivered(external_id=posted.ts)
