"""Signal payloads and outbox steps shared by the HubSpot and Salesforce tests."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.crm.recording import signal_payload
from app.crm.signals import AccountSignal, Evidence, SignalKind, excerpt
from app.db.engine import session_scope
from app.db.models import Account
from app.db.outbox_table import OutboxEvent
from app.delivery.outbox import DeliveryReport, deliver_due, enqueue
from app.delivery.outcomes import Delivered, Sender

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
THREAD = "https://slack.com/archives/C0ACME/p1764158400000100"
CHURN = AccountSignal(
    SignalKind.CHURN,
    (Evidence("churn.cancellation_intent", "the customer asks to cancel"),),
    excerpt("Cancel our contract, mail jane.doe@acme-corp.com"),
)
EXPANSION = AccountSignal(
    SignalKind.EXPANSION,
    (Evidence("expansion.seats", "asks about adding seats or users"),),
    excerpt("How do we add 20 more seats?"),
)


def payload(signal: AccountSignal = CHURN, **ids: str) -> dict[str, Any]:
    account = Account(name="Acme Corp", channel_id="C0ACME", tier="enterprise")
    return {**signal_payload(signal, account=account, thread_url=THREAD, detected_at=NOW), **ids}


def enqueue_one(engine: Engine, kind: str, body: dict[str, Any], key: str = "crm:1:churn") -> int:
    with session_scope(engine) as session:
        event = enqueue(session=session, kind=kind, idempotency_key=key, payload=body, now=NOW)
        assert event.id is not None
        return event.id


def deliver(engine: Engine, kind: str, sender: Sender, now: datetime = NOW) -> DeliveryReport:
    return deliver_due(engine=engine, senders={kind: sender}, now=now, rng=random.Random(1))


def stored(engine: Engine, outbox_id: int) -> OutboxEvent:
    with Session(engine) as session:
        event = session.get(OutboxEvent, outbox_id)
        assert event is not None
        return event


class ProcessDied(BaseException):
    """Stands for the worker process dying: not an Exception, so nothing catches it."""


def dies_after_sending(sender: Sender) -> Callable[[dict[str, Any], str], Delivered]:
    """The real sender, then the process dies before the outbox records the outcome."""

    def send(body: dict[str, Any], key: str) -> Delivered:
        sender(body, key)
        raise ProcessDied

    return send
