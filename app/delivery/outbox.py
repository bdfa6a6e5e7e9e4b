"""The transactional outbox: ``enqueue`` in the caller's transaction, ``deliver_due`` later.

Everything that leaves the process goes through it: Slack posts, emails, tracker and CRM calls.
A row is claimed by one conditional UPDATE (pending → delivering, fenced by its attempt count;
``FOR UPDATE SKIP LOCKED`` first on PostgreSQL), so concurrent processes deliver it once. The
claim is a lease: a row left ``delivering`` past ``LEASE`` (the process died between claim and
send) is claimed again, and its sender is told it is a later attempt (a Slack sender then looks
for the message carrying the key before posting again); if the external id was already recorded
it is marked delivered without sending again. Failures back off, then go to ``dead``, listed by
``escalation-bot outbox list --status dead`` and sent again with ``outbox retry``.

Rows of one ``sequence`` (the messages of one Slack thread) go out in the order they were
stored. A row stored ``due`` later (left to the process that stored it) may be delivered at
once by that process: ``deliver_due`` with its keys or sequence takes fresh rows before they
are due.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.db.engine import dialect_insert, session_scope
from app.db.outbox_table import DEAD, DELIVERED, DELIVERING, PENDING, OutboxEvent
from app.delivery.outcomes import (
    MAX_ATTEMPTS,
    AttemptSender,
    Delivered,
    PermanentError,
    Recorder,
    RetryableError,
    Sender,
    backoff_seconds,
)
from app.redaction import redact

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # longer than any one attempt with its own retries
#: How long the sweep leaves a row stored ``due`` later to the process that stored it (which
#: delivers it at once): a row is stored ``due_at=now + STORER_GRACE``.
STORER_GRACE = timedelta(minutes=1)
ERROR_LIMIT = 500


@dataclass
class DeliveryReport:
    delivered: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return len(self.delivered) + len(self.retried) + len(self.dead)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enqueue(
    *,
    session: Session,
    kind: str,
    idempotency_key: str,
    payload: Mapping[str, Any],
    now: datetime | None = None,
    after_key: str | None = None,
    sequence: str | None = None,
    due_at: datetime | None = None,
) -> OutboxEvent:
    """Add a message, due at ``due_at`` (default ``now``), in the caller's transaction (committed
    or rolled back with it); a message with the same key already stored is returned as it is.
    With ``after_key`` it waits until the message with that key is delivered, and is sent with
    its external record; with ``sequence`` it goes out after the earlier rows of that sequence."""
    now = _utc(now or datetime.now(UTC))
    values = {
        "kind": kind,
        "idempotency_key": idempotency_key,
        "payload": json.dumps(payload, sort_keys=True),
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": _utc(due_at) if due_at is not None else now,
        "created_at": now,
        "after_key": after_key,
        "sequence": sequence,
    }
    statement = (
        dialect_insert(session, OutboxEvent)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    session.execute(statement)
    query = select(OutboxEvent).where(col(OutboxEvent.idempotency_key) == idempotency_key)
    return session.exec(query).one()


@dataclass(frozen=True)
class Only:
    """The rows a process delivers right after storing them: by key or by sequence. Their fresh
    rows (never attempted) are taken before they are due; the others when due, as usual."""

    keys: tuple[str, ...] = ()
    sequence: str | None = None

    def where(self) -> list[Any]:
        conditions: list[Any] = []
        if self.keys:
            conditions.append(col(OutboxEvent.idempotency_key).in_(self.keys))
        if self.sequence is not None:
            conditions.append(col(OutboxEvent.sequence) == self.sequence)
        return [or_(*conditions)] if conditions else []


def _claim(
    *, engine: Engine, kinds: list[str], now: datetime, skip: set[int], only: Only | None = None
) -> OutboxEvent | None:
    """Take the next due row (pending and due, or delivering past its lease), or None."""
    pending_due = col(OutboxEvent.next_attempt_at) <= now
    if only is not None:
        pending_due = or_(pending_due, col(OutboxEvent.attempts) == 0)
    due = or_(
        and_(col(OutboxEvent.status) == PENDING, pending_due),
        and_(col(OutboxEvent.status) == DELIVERING, col(OutboxEvent.next_attempt_at) <= now),
    )
    parent = aliased(OutboxEvent)
    earlier = aliased(OutboxEvent)
    ready = and_(
        or_(
            col(OutboxEvent.after_key).is_(None),
            exists().where(
                col(parent.idempotency_key) == col(OutboxEvent.after_key),
                col(parent.status) == DELIVERED,
            ),
        ),
        or_(
            col(OutboxEvent.sequence).is_(None),
            ~exists().where(
                col(earlier.sequence) == col(OutboxEvent.sequence),
                col(earlier.id) < col(OutboxEvent.id),
                col(earlier.status).in_([PENDING, DELIVERING]),
            ),
        ),
    )
    while True:
        with session_scope(engine) as session:
            query = (
                select(OutboxEvent)
                .where(
                    due, ready, col(OutboxEvent.kind).in_(kinds), *(only.where() if only else [])
                )
                .order_by(col(OutboxEvent.next_attempt_at), col(OutboxEvent.id))
                .limit(1)
            )
            if skip:
                query = query.where(col(OutboxEvent.id).not_in(skip))
            if engine.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            row = session.exec(query).first()
            if row is None:
                return None
            assert row.id is not None
            skip.add(row.id)
            seen_status, seen_attempts = row.status, row.attempts
            claimed = session.execute(
                update(OutboxEvent)
                .where(
                    col(OutboxEvent.id) == row.id,
                    col(OutboxEvent.status) == seen_status,
                    col(OutboxEvent.attempts) == seen_attempts,
                )
                .values(status=DELIVERING, attempts=seen_attempts + 1, next_attempt_at=now + LEASE)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount == 1:  # type: ignore[attr-defined]
                session.expunge(row)
                row.status, row.attempts = DELIVERING, seen_attempts + 1
                return row
        # another worker claimed it first: look for the next one


def _finish(
    *,
    engine: Engine,
    event: OutboxEvent,
    values: dict[str, Any],
    recorder: Recorder | None = None,
) -> bool:
    """Apply the outcome, unless another worker took the row over in the meantime; a delivery
    is recorded where the product keeps it (``recorder``) in the same transaction."""
    with session_scope(engine) as session:
        result = session.execute(
            update(OutboxEvent)
            .where(
                col(OutboxEvent.id) == event.id,
                col(OutboxEvent.status) == DELIVERING,
                col(OutboxEvent.attempts) == event.attempts,
            )
            .values(**values)
        )
        finished = bool(result.rowcount == 1)  # type: ignore[attr-defined]
        if finished and recorder is not None and values["status"] == DELIVERED:
            delivered = Delivered(
                external_id=str(values["external_id"]), external_url=values["external_url"]
            )
            recorder(session, json.loads(event.payload), delivered)
        return finished


def _error_text(error: BaseException) -> str:
    text = redact(f"{type(error).__name__}: {error}")
    return text[:ERROR_LIMIT]


def _after(*, engine: Engine, event: OutboxEvent) -> dict[str, Any] | None:
    """The external record of the row this one waited for."""
    if event.after_key is None:
        return None
    with session_scope(engine) as session:
        query = select(OutboxEvent).where(col(OutboxEvent.idempotency_key) == event.after_key)
        parent = session.exec(query).one()
        return {"external_id": parent.external_id, "external_url": parent.external_url}


def _attempt(
    *,
    event: OutboxEvent,
    sender: Sender | AttemptSender,
    now: datetime,
    rng: random.Random,
    after: dict[str, Any] | None = None,
) -> tuple[str, dict[str, Any]]:
    if event.external_id:  # sent before a crash: record it, never send twice
        delivered = Delivered(external_id=event.external_id, external_url=event.external_url)
    else:
        payload = json.loads(event.payload)
        if after is not None:
            payload["after"] = after
        try:
            if isinstance(sender, AttemptSender):
                delivered = sender.send_attempt(
                    payload, event.idempotency_key, attempt=event.attempts
                )
            else:
                delivered = sender(payload, event.idempotency_key)
        except PermanentError as error:
            return DEAD, {"status": DEAD, "last_error": _error_text(error)}
        except Exception as error:  # retryable, or unexpected: retried within MAX_ATTEMPTS
            reason = _error_text(error)
            if event.attempts >= MAX_ATTEMPTS:
                return DEAD, {"status": DEAD, "last_error": f"gave up: {reason}"[:ERROR_LIMIT]}
            retry_after = error.retry_after if isinstance(error, RetryableError) else None
            delay = backoff_seconds(event.attempts, rng=rng, retry_after=retry_after)
            return PENDING, {
                "status": PENDING,
                "last_error": reason,
                "next_attempt_at": now + timedelta(seconds=delay),
            }
    return DELIVERED, {
        "status": DELIVERED,
        "external_id": delivered.external_id,
        "external_url": delivered.external_url,
        "delivered_at": now,
        "last_error": None,
    }


def deliver_due(
    *,
    engine: Engine,
    senders: Mapping[str, Sender | AttemptSender],
    now: datetime,
    rng: random.Random | None = None,
    limit: int = 100,
    recorders: Mapping[str, Recorder] | None = None,
    only: Only | None = None,
) -> DeliveryReport:
    """Deliver the due rows of the kinds ``senders`` knows, one claimed row at a time (with
    ``only``, just those rows: the process that stored them delivers them at once)."""
    now = _utc(now)
    recorders = recorders or {}
    rng = rng or random.Random()  # noqa: S311  (jitter, not security)
    report = DeliveryReport()
    skip: set[int] = set()
    kinds = sorted(senders)
    while kinds and report.attempted < limit:
        event = _claim(engine=engine, kinds=kinds, now=now, skip=skip, only=only)
        if event is None:
            break
        assert event.id is not None
        outcome, values = _attempt(
            event=event,
            sender=senders[event.kind],
            now=now,
            rng=rng,
            after=_after(engine=engine, event=event),
        )
        recorder = recorders.get(event.kind)
        if not _finish(engine=engine, event=event, values=values, recorder=recorder):
            logger.warning("outbox event %s was taken over by another worker", event.id)
            continue
        {DELIVERED: report.delivered, PENDING: report.retried, DEAD: report.dead}[outcome].append(
            event.id
        )
        if outcome != DELIVERED:
            logger.warning("outbox event %s: %s (%s)", event.id, outcome, values["last_error"])
    return report


def retry(*, session: Session, outbox_id: int, now: datetime | None = None) -> bool:
    """Put a dead row back in the queue (attempts start over); False unless it was dead."""
    result = session.execute(
        update(OutboxEvent)
        .where(col(OutboxEvent.id) == outbox_id, col(OutboxEvent.status) == DEAD)
        .values(status=PENDING, attempts=0, next_attempt_at=_utc(now or datetime.now(UTC)))
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
