"""Portable SQL pieces for the KPI queries: durations, ratios and percentiles on SQLite and
PostgreSQL (the dialect name comes from ``session.get_bind().dialect.name``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

from sqlalchemy import Float, Select, case, cast, extract, func, literal_column, select
from sqlalchemy.sql.elements import ColumnElement

SECONDS_PER_DAY = 86_400

#: A SELECT of any columns (a string, so that it is only evaluated by the type checker).
AnySelect: TypeAlias = "Select[*tuple[Any, ...]]"


def duration_seconds(
    dialect: str, later: ColumnElement[Any], earlier: ColumnElement[Any]
) -> ColumnElement[float]:
    """``later - earlier`` in seconds: ``julianday()`` differences on SQLite (rounded to the
    millisecond, their precision), ``EXTRACT(EPOCH FROM …)`` elsewhere."""
    if dialect == "sqlite":
        days = func.julianday(later, type_=Float) - func.julianday(earlier, type_=Float)
        return func.round(days * float(SECONDS_PER_DAY), 3, type_=Float)
    return cast(extract("epoch", later - earlier), Float)


def not_searched(dialect: str, column: ColumnElement[Any]) -> ColumnElement[Any]:
    """``column`` as a term SQLite will not search an index with (unary ``+``), so its planner
    takes the index that gives the ORDER BY instead; the column itself elsewhere."""
    if dialect != "sqlite":
        return column
    return literal_column(f"+{column.table.name}.{column.name}", type_=column.type)


def ratio(numerator: ColumnElement[Any], denominator: ColumnElement[Any]) -> ColumnElement[Any]:
    """``numerator / denominator`` as a float, NULL when the denominator is 0 (or NULL)."""
    return cast(numerator, Float) / cast(func.nullif(denominator, 0), Float)


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows satisfy ``condition`` (0, not NULL, on no rows)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def percentile_select(
    values: AnySelect, points: Sequence[int], *, dialect: str, portable: bool = False
) -> AnySelect:
    """One row: the number of values and, for each percent in ``points``, the percentile of the
    single column of ``values``; NULLs when there are no values.

    The definition is PostgreSQL's ``percentile_cont``: linear interpolation between the two
    values closest to rank ``(n - 1) * p`` (the median of an even count is the mean of the two
    middle values). PostgreSQL computes it with ``percentile_cont``; SQLite, which has no
    percentile function (or ``portable=True`` on any database), numbers the sorted values with
    ``ROW_NUMBER() OVER`` and weights the one or two rows nearest that rank, in integers:
    row ``i`` (from 0) gets ``max(0, 100 - |100 i - (n - 1) p|) / 100``.
    """
    for point in points:
        if not 0 <= point <= 100:
            raise ValueError(f"a percentile is between 0 and 100, not {point}")
    source = values.subquery("vals")
    value = next(iter(source.c))
    if dialect == "postgresql" and not portable:
        return select(
            func.count(value),
            *(
                cast(func.percentile_cont(point / 100).within_group(value), Float)
                for point in points
            ),
        ).where(value.is_not(None))
    ranked = (
        select(
            value.label("v"),
            (func.row_number().over(order_by=value) - 1).label("i"),
            func.count().over().label("n"),
        )
        .where(value.is_not(None))
        .subquery("ranked")
    )
    columns: list[ColumnElement[Any]] = [func.count()]
    for point in points:
        distance = func.abs(ranked.c.i * 100 - (ranked.c.n - 1) * point)
        weight = case((distance < 100, 100 - distance), else_=0)
        columns.append(cast(func.sum(ranked.c.v * weight), Float) / 100.0)
    return select(*columns).select_from(ranked)
