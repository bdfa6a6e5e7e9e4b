"""Delivers thread notices (who joined, the closing message, the hand-off survey) from the
outbox into the customer's thread, with the token of the installation they belong to."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.csat.service import ESCALATION
from app.delivery.outcomes import Delivered
from app.slack.delivery_errors import client_for, delivery_error
from app.slack.replier import SlackThreadReplier
from app.slack.workspaces import ClientForTeam


class ThreadNoticeSender:
    """From the second attempt on, the thread is read first: a message carrying the notice's
    key there was posted by an attempt whose process died before recording it."""

    def __init__(self, clients: WebClient | ClientForTeam) -> None:
        self._clients = clients

    def send_attempt(self, payload: dict[str, Any], key: str, *, attempt: int) -> Delivered:
        channel, thread_ts = str(payload["channel"]), str(payload["thread_ts"])
        replier = SlackThreadReplier(
            client_for(self._clients, payload.get("team_id"), where=channel)
        )
        maybe_sent = attempt > 1
        try:
            if payload.get("rating_id") is not None:
                posted = replier.post_survey(
                    channel=channel,
                    thread_ts=thread_ts,
                    kind=ESCALATION,
                    rating_id=int(payload["rating_id"]),
                    key=key,
                    maybe_sent=maybe_sent,
                )
            else:
                text = str(payload.get("text") or "")
                posted = replier.post_text(
                    channel=channel, thread_ts=thread_ts, text=text, key=key, maybe_sent=maybe_sent
                )
        except SlackApiError as exc:
            raise delivery_error(exc, where=channel) from None
        return Delivered(external_id=posted.ts)
