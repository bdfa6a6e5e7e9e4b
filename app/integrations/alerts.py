"""Alerts to team channels, delivered through the outbox (kind ``slack.alert``): the payload is
plain data (title, fields, a quote of customer text, a link) and the team id of the installation
whose channel it goes to; the Slack layer renders and escapes it and posts it with that
installation's token. One alert per idempotency key, however often the cause is seen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.db.outbox_table import OutboxEvent
from app.delivery.outbox import enqueue

KIND = "slack.alert"
CHURN_SIGNAL = "churn_signal"
ENTERPRISE_UNCLAIMED = "enterprise_unclaimed"
INTEGRATION_PROBLEM = "integration_problem"
BUG_FINGERPRINT = "bug_fingerprint"


def thread_link(channel_id: str, thread_ts: str) -> str:
    """A link to a Slack message that needs no API call: Slack redirects
    ``https://slack.com/archives/<channel>/p<ts digits>`` to the member's workspace."""
    return f"https://slack.com/archives/{channel_id}/p{thread_ts.replace('.', '')}"


def alert_payload(
    *,
    event: str,
    team_id: str,
    channel: str,
    title: str,
    fields: list[tuple[str, str]] | None = None,
    quote: str | None = None,
    link: str | None = None,
) -> dict[str, Any]:
    return {
        "event": event,
        "team_id": team_id,
        "channel": channel,
        "title": title,
        "fields": [[label, value] for label, value in fields or []],
        "quote": quote,
        "link": link,
    }


def enqueue_alert(
    *, session: Session, key: str, payload: dict[str, Any], now: datetime | None = None
) -> OutboxEvent:
    """Queue the alert in the caller's transaction (a second call with the same key is a no-op)."""
    return enqueue(session=session, kind=KIND, idempotency_key=key, payload=payload, now=now)
