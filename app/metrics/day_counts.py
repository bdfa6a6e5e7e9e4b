"""Conversations of a window by account tier and intent, read from the day rollup.

``conversation_day_counts`` (kept by database triggers in the transaction that writes a
conversation, see migration 0011) has one row per UTC day, tier and intent. A window's whole
days come from it; the partial days at its edges come from ``conversations`` itself, so the
counts are exact for any window while reading a few thousand rows instead of every
conversation. Both sources give the same columns: ``team_id``, ``tier``, ``intent`` ('' for none),
``conversations``, ``escalated`` and ``contained``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.sql.selectable import Subquery

from app.metrics.sql import AnySelect
from app.metrics.tables import ACCOUNTS, CONVERSATIONS, DAY_COUNTS
from app.metrics.windows import Window


def whole_days(window: Window) -> tuple[date, date] | None:
    """The UTC days ``[first, end)`` that lie entirely in the window, if any."""
    first = window.start.date()
    if window.start != _midnight(first):
        first += timedelta(days=1)
    end = window.end.date()
    return (first, end) if first < end else None


def day_count_rows(window: Window) -> Subquery:
    """Rows to sum: the rollup's whole days plus one row per conversation of the edges."""
    days = whole_days(window)
    if days is None:
        return _conversation_rows([(window.start, window.end)]).subquery("day_counts")
    first, end = days
    dc = DAY_COUNTS.c
    rolled = select(
        dc.team_id, dc.tier, dc.intent, dc.conversations, dc.escalated, dc.contained
    ).where(dc.day >= first, dc.day < end)
    edges = _conversation_rows([(window.start, _midnight(first)), (_midnight(end), window.end)])
    return union_all(rolled, edges).subquery("day_counts")


def _conversation_rows(spans: Sequence[tuple[datetime, datetime]]) -> AnySelect:
    """One row per conversation opened in the spans, shaped like the rollup's rows."""
    conv = CONVERSATIONS.c
    ranges = [
        and_(conv.created_at >= start, conv.created_at < end) for start, end in spans if start < end
    ]
    return (
        select(
            conv.team_id,
            ACCOUNTS.c.tier,
            func.coalesce(conv.intent, "").label("intent"),
            literal(1).label("conversations"),
            case((conv.escalated_at.is_not(None), 1), else_=0).label("escalated"),
            case((conv.status == "contained", 1), else_=0).label("contained"),
        )
        .select_from(CONVERSATIONS)
        .join(ACCOUNTS, ACCOUNTS.c.id == conv.account_id)
        .where(or_(*ranges) if ranges else literal(False))
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)
