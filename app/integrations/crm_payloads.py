"""What a CRM record says about an account signal: one text both CRMs use, and the marker that
makes a record findable again (so a retry finds the note or task an earlier attempt created)."""

from __future__ import annotations

import hashlib
from typing import Any

from app.redaction import Redactor, redact

TITLES = {"churn": "Churn signal", "expansion": "Expansion signal"}


def idempotency_marker(idempotency_key: str) -> str:
    """A short letters-and-digits token derived from the outbox key: one search token in HubSpot,
    a ``LIKE`` pattern in Salesforce."""
    return "escbot" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]


def signal_title(payload: dict[str, Any], redactor: Redactor | None = None) -> str:
    rules = ", ".join(str(e["rule"]).split(".", 1)[-1] for e in payload.get("evidence") or [])
    title = TITLES.get(str(payload["signal"]), "Account signal")
    return redact(f"{title}: {rules}" if rules else title, redactor)


def signal_lines(payload: dict[str, Any], redactor: Redactor | None = None) -> list[str]:
    """The record's text as lines: evidence, the customer's words, the thread (all redacted)."""
    lines = [f"{TITLES.get(str(payload['signal']), 'Account signal')} from the support bot."]
    lines += [
        f"- {e['detail']} ({e['rule']})" for e in payload.get("evidence") or [] if "detail" in e
    ]
    if payload.get("excerpt"):
        lines.append(f'Customer wrote: "{payload["excerpt"]}"')
    if payload.get("thread_url"):
        lines.append(f"Slack thread: {payload['thread_url']}")
    return [redact(line, redactor) for line in lines]
