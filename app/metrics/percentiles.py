"""Percentiles of escalation durations in a window, cheap on both databases.

The definition is PostgreSQL's ``percentile_cont`` (linear interpolation between the two values
nearest rank ``(n - 1) * p``). PostgreSQL computes it itself over a covering index. SQLite has
no percentile function: the number of values comes from the covering index on the end time, and
each percentile from the one or two values at its rank, read by an ordered scan of the
expression index on the duration (migration 0011) with ``LIMIT 2 OFFSET rank``: no sort, no
duration computed at query time. That scan passes the durations outside the window too, so its
cost grows with the history the index holds (fine for the 90-day report on months of history).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, cast, func, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.metrics.sql import AnySelect, duration_seconds, not_searched, percentile_select
from app.metrics.tables import ESCALATIONS
from app.metrics.windows import Window

#: The SQLite expression indexes on ``<end> - created_at`` in seconds, by end column.
SQLITE_DURATION_INDEXES = {
    "resolved_at": "ix_escalations_resolution_seconds",
    "claimed_at": "ix_escalations_claim_seconds",
}


def sqlite_duration(end: str) -> ColumnElement[float]:
    """The duration exactly as the expression index spells it (constants inline), so that
    SQLite reads it from the index."""
    if end not in SQLITE_DURATION_INDEXES:
        raise ValueError(f"no duration index on {end!r}")
    column = f"{ESCALATIONS.name}.{end}"
    started = f"{ESCALATIONS.name}.created_at"
    return literal_column(
        f"round((julianday({column}) - julianday({started})) * 86400.0, 3)", type_=Float
    )


def duration_percentiles(
    session: Session,
    *,
    end: str,
    window: Window,
    points: Sequence[int],
    clauses: Sequence[ColumnElement[bool]] = (),
) -> tuple[int, list[float | None]]:
    """How many escalations have ``end`` in the window (and satisfy ``clauses``, on escalation
    columns), and the percentiles of ``end - created_at`` in seconds (None when there are none)."""
    esc = ESCALATIONS.c
    ended = esc[end]
    in_window = [ended.is_not(None), ended >= window.start, ended < window.end, *clauses]
    dialect = session.get_bind().dialect.name
    if dialect != "sqlite":
        values = select(duration_seconds(dialect, ended, esc.created_at)).where(*in_window)
        n, *found = session.execute(percentile_select(values, points, dialect=dialect)).one()
        return int(n), [None if value is None else float(value) for value in found]
    n = int(session.execute(select(func.count()).where(*in_window)).scalar_one())
    if n == 0:
        return 0, [None for _ in points]
    duration = sqlite_duration(end)
    # The planner walks the duration index in order (that also serves ORDER BY) rather than
    # searching the window on an end-time index and sorting.
    unindexed = not_searched(dialect, ended)
    ordered = (
        select(cast(duration, Float))
        .select_from(ESCALATIONS)
        .where(ended.is_not(None), unindexed >= window.start, unindexed < window.end, *clauses)
        .order_by(duration)
    )
    return n, [_at_rank(session, ordered, (n - 1) * point / 100) for point in points]


def _at_rank(session: Session, ordered: AnySelect, rank: float) -> float:
    below = math.floor(rank)
    fraction = rank - below
    rows = session.execute(ordered.limit(2 if fraction else 1).offset(below)).scalars().all()
    values: list[Any] = list(rows)
    if len(values) == 1:
        return float(values[0])
    return float(values[0]) + (float(values[1]) - float(values[0])) * fraction
