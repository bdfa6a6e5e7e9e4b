"""Queue a message's account signals for the CRMs and the alerts channel, in the transaction that
records the triage decision: a crash before the commit loses both, after it the worker delivers.

One signal per conversation per kind and destination (the idempotency key
``crm:<conversation>:<kind>:<destination>``): a second cancellation message in the same thread
adds nothing. HubSpot gets a row when the account has a ``hubspot_company_id``, Salesforce when it
has a ``salesforce_account_id``; churn is also posted to ``alerts.churn_signal``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from app.config_file import EscalationConfig
from app.crm.signals import AccountSignal, SignalKind, detect_signals
from app.db.models import Account, Conversation
from app.delivery.outbox import enqueue
from app.integrations.alerts import CHURN_SIGNAL, alert_payload, enqueue_alert, thread_link
from app.integrations.hubspot import KIND as HUBSPOT_KIND
from app.integrations.salesforce import KIND as SALESFORCE_KIND
from app.redaction import redact
from app.triage.signals import Signals


def signal_payload(
    signal: AccountSignal, *, account: Account, thread_url: str, detected_at: datetime
) -> dict[str, Any]:
    """What every destination is told about a signal (customer text already redacted)."""
    return {
        "signal": signal.kind.value,
        "account": redact(account.name),
        "tier": account.tier,
        "evidence": [{"rule": e.rule, "detail": e.detail} for e in signal.evidence],
        "excerpt": signal.excerpt,
        "thread_url": thread_url,
        "detected_at": detected_at.astimezone(UTC).isoformat(),
    }


def record_signals(
    *,
    session: Session,
    config: EscalationConfig,
    conversation: Conversation,
    account: Account,
    signals: Signals,
    text: str,
    escalate: bool,
    fired: Collection[str],
    now: datetime,
) -> list[AccountSignal]:
    """Detect the message's signals and queue them; returns what was detected."""
    found = detect_signals(
        signals=signals, text=text, tier=account.tier, escalate=escalate, fired=fired
    )
    if not found:
        return found
    assert conversation.id is not None
    link = thread_link(conversation.channel_id, conversation.thread_ts)
    configured = config.account_for_channel(account.channel_id)
    hubspot_id = configured.hubspot_company_id if configured else None
    salesforce_id = configured.salesforce_account_id if configured else None
    for signal in found:
        payload = signal_payload(signal, account=account, thread_url=link, detected_at=now)
        key = f"crm:{conversation.id}:{signal.kind.value}"
        targets = (
            (HUBSPOT_KIND, "hubspot", "company_id", hubspot_id),
            (SALESFORCE_KIND, "salesforce", "account_id", salesforce_id),
        )
        for kind, destination, id_field, crm_id in targets:
            if crm_id:
                enqueue(
                    session=session,
                    kind=kind,
                    idempotency_key=f"{key}:{destination}",
                    payload={**payload, id_field: crm_id},
                    now=now,
                )
        channel = config.alerts.churn_signal
        if signal.kind is SignalKind.CHURN and channel:
            enqueue_alert(
                session=session,
                key=f"{key}:alert",
                payload=alert_payload(
                    event=CHURN_SIGNAL,
                    team_id=conversation.team_id,
                    channel=channel,
                    title=f"Churn signal: {payload['account']} ({account.tier})",
                    fields=[("Evidence", e.detail) for e in signal.evidence],
                    quote=signal.excerpt,
                    link=link,
                ),
                now=now,
            )
    return found
