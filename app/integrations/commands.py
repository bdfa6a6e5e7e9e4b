"""Operator commands on the outbox: a readable listing, and putting a dead row back in line."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.db.engine import session_scope
from app.db.outbox_table import STATUSES, OutboxEvent
from app.delivery.outbox import retry

COLUMNS = ("id", "kind", "status", "attempts", "next attempt", "external", "last error")
ERROR_WIDTH = 60


def _when(value: datetime | None) -> str:
    if value is None:
        return "-"
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _row(event: OutboxEvent) -> tuple[str, ...]:
    error = (event.last_error or "-").replace("\n", " ")
    if len(error) > ERROR_WIDTH:
        error = error[: ERROR_WIDTH - 1] + "…"
    next_attempt = _when(event.next_attempt_at) if event.status != "delivered" else "-"
    return (
        str(event.id),
        event.kind,
        event.status,
        str(event.attempts),
        next_attempt,
        event.external_url or event.external_id or "-",
        error,
    )


def list_outbox(*, engine: Engine, status: str | None = None) -> str:
    """The outbox rows (optionally of one status) as an aligned table."""
    if status is not None and status not in STATUSES:
        return f"Unknown status {status!r}: use one of {', '.join(STATUSES)}."
    with session_scope(engine) as session:
        query = select(OutboxEvent).order_by(col(OutboxEvent.id))
        if status is not None:
            query = query.where(col(OutboxEvent.status) == status)
        rows = [_row(event) for event in session.exec(query)]
    if not rows:
        return "No outbox events" + (f" with status {status}." if status else ".")
    widths = [max(len(r[i]) for r in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [COLUMNS, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def retry_outbox(*, engine: Engine, outbox_id: int) -> str:
    """Requeue a dead row; says what happened."""
    with session_scope(engine) as session:
        event = session.get(OutboxEvent, outbox_id)
        if event is None:
            return f"Outbox event {outbox_id} does not exist."
        if event.status != "dead":
            return f"Outbox event {outbox_id} is {event.status}, not dead: nothing to retry."
        retried = retry(session=session, outbox_id=outbox_id)
    if retried:
        return f"Outbox event {outbox_id} is queued for delivery again."
    return f"Outbox event {outbox_id} changed meanwhile: nothing to retry."
