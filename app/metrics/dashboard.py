"""The support lead's dashboard figures, each one aggregate query run in the database.

* top escalation intents: escalations created in a window, by the intent their hand-off card
  shows (the triage decision's, else the conversation's, else ``human_request``);
* open escalations by age: pending or claimed escalations, bucketed by ``now - created_at``;
* knowledge-gap queue: gaps still waiting for an article (status ``open``);
* daily escalation rates: per UTC day, conversations opened and how many of them were escalated
  (the escalation-rate definition of :mod:`app.metrics.kpi_queries`), every day listed.

Grouping keys that carry bound parameters are computed in a subquery and grouped on its column:
PostgreSQL binds each occurrence of a parameter separately, so ``GROUP BY`` on a repeated
expression would not match the selected one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Date, String, case, cast, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import SQLModel

from app.db import models
from app.intents import HUMAN_REQUEST
from app.metrics.sql import count_if
from app.metrics.tables import CONVERSATIONS, ESCALATIONS
from app.metrics.windows import Window

_TABLES = SQLModel.metadata.tables
TRIAGE_DECISIONS = _TABLES[models.TriageDecision.__tablename__]
KNOWLEDGE_GAPS = _TABLES[models.KnowledgeGap.__tablename__]

OPEN_ESCALATION_STATUSES = ("pending", "claimed")
#: The intent a hand-off card shows when neither the decision nor the conversation has one.
FALLBACK_INTENT = HUMAN_REQUEST
#: Age buckets of open escalations: label and the exclusive upper bound of the age.
AGE_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("< 15 min", timedelta(minutes=15)),
    ("15-60 min", timedelta(hours=1)),
    ("1-4 h", timedelta(hours=4)),
    ("4-24 h", timedelta(days=1)),
    ("> 1 day", None),
)
MAX_DAYS = 366


def _of_team(column: ColumnElement[Any], team_id: str | None) -> list[ColumnElement[bool]]:
    """Rows of one installation (``team_id``), or of every workspace (None)."""
    return [column == team_id] if team_id is not None else []


def top_escalation_intents(
    *, session: Session, window: Window, limit: int = 5, team_id: str | None = None
) -> list[tuple[str, int]]:
    """The ``limit`` intents with the most escalations created in ``window``, most first
    (ties by name); of one installation when ``team_id`` is given."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    esc, conv, decision = ESCALATIONS.c, CONVERSATIONS.c, TRIAGE_DECISIONS.c
    intent = func.coalesce(decision.intent, conv.intent, FALLBACK_INTENT, type_=String)
    keyed = (
        select(intent.label("intent"))
        .select_from(ESCALATIONS)
        .join(CONVERSATIONS, conv.id == esc.conversation_id)
        .outerjoin(TRIAGE_DECISIONS, decision.id == esc.decision_id)
        .where(
            esc.created_at >= window.start,
            esc.created_at < window.end,
            *_of_team(esc.team_id, team_id),
        )
        .subquery("keyed")
    )
    count = func.count().label("escalations")
    statement = (
        select(keyed.c.intent, count)
        .group_by(keyed.c.intent)
        .order_by(count.desc(), keyed.c.intent)
        .limit(limit)
    )
    return [(str(name), int(n)) for name, n in session.execute(statement).all()]


def _age_bucket(created_at: ColumnElement[Any], now: datetime) -> ColumnElement[str]:
    """``CASE`` over ``created_at`` against ``now`` minus each bound (age < bound ⇔ created
    after ``now - bound``): no date arithmetic in SQL, so the same on every dialect."""
    whens = [
        (created_at > now - bound, literal(label, String))
        for label, bound in AGE_BUCKETS
        if bound is not None
    ]
    return case(*whens, else_=literal(AGE_BUCKETS[-1][0], String))


def open_escalations_by_age(
    *, session: Session, now: datetime, team_id: str | None = None
) -> list[tuple[str, int]]:
    """Pending and claimed escalations per age bucket at ``now``: every bucket of
    :data:`AGE_BUCKETS`, in order, with 0 for empty ones."""
    now = models.as_utc(now).astimezone(UTC)
    esc = ESCALATIONS.c
    keyed = (
        select(_age_bucket(esc.created_at, now).label("bucket"))
        .where(esc.status.in_(OPEN_ESCALATION_STATUSES), *_of_team(esc.team_id, team_id))
        .subquery("keyed")
    )
    statement = select(keyed.c.bucket, func.count()).group_by(keyed.c.bucket)
    counts = {str(bucket): int(n) for bucket, n in session.execute(statement).all()}
    return [(label, counts.get(label, 0)) for label, _ in AGE_BUCKETS]


def knowledge_gap_queue_size(*, session: Session, team_id: str | None = None) -> int:
    """How many knowledge gaps still wait for an article."""
    statement = (
        select(func.count())
        .select_from(KNOWLEDGE_GAPS)
        .join(ESCALATIONS, ESCALATIONS.c.id == KNOWLEDGE_GAPS.c.escalation_id)
        .where(KNOWLEDGE_GAPS.c.status == "open", *_of_team(ESCALATIONS.c.team_id, team_id))
    )
    return int(session.execute(statement).scalar_one())


def _utc_day(dialect: str, column: ColumnElement[Any]) -> ColumnElement[Any]:
    """The UTC calendar day of a timestamp: SQLite stores UTC text (``date()`` gives
    ``YYYY-MM-DD``); PostgreSQL converts the ``timestamptz`` to UTC first, so the session's
    time zone does not move the day."""
    if dialect == "sqlite":
        return func.date(column, type_=String)
    return cast(func.timezone("UTC", column), Date)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def daily_escalation_rates(
    *, session: Session, days: int, now: datetime, team_id: str | None = None
) -> list[tuple[date, int, int]]:
    """``(day, conversations opened, of them escalated)`` for each of the ``days`` UTC days up to
    and including ``now``'s (which counts up to ``now``), oldest first, 0s on days without
    conversations."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}")
    now = models.as_utc(now).astimezone(UTC)
    first_day = now.date() - timedelta(days=days - 1)
    start = datetime.combine(first_day, time.min, tzinfo=UTC)
    conv = CONVERSATIONS.c
    dialect = session.get_bind().dialect.name
    keyed = (
        select(_utc_day(dialect, conv.created_at).label("day"), conv.escalated_at)
        .where(conv.created_at >= start, conv.created_at < now, *_of_team(conv.team_id, team_id))
        .subquery("keyed")
    )
    statement = select(
        keyed.c.day, func.count(), count_if(keyed.c.escalated_at.is_not(None))
    ).group_by(keyed.c.day)
    counts = {
        _as_date(day): (int(total), int(escalated))
        for day, total, escalated in session.execute(statement).all()
    }
    result: list[tuple[date, int, int]] = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        total, escalated = counts.get(day, (0, 0))
        result.append((day, total, escalated))
    return result
