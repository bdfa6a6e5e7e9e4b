"""Reporting windows: half-open ``[start, end)`` intervals of UTC time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.db.models import as_utc


@dataclass(frozen=True)
class Window:
    """``[start, end)`` in UTC; a naive time is taken as UTC (that is how the tables store it)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", as_utc(self.start).astimezone(UTC))
        object.__setattr__(self, "end", as_utc(self.end).astimezone(UTC))
        if self.start >= self.end:
            raise ValueError(f"a window must start before it ends ({self.start} >= {self.end})")

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    def before(self) -> Window:
        """The window of the same length that ends where this one starts."""
        return Window(self.start - self.length, self.start)


def window_for(days: int, now: datetime) -> tuple[Window, Window]:
    """The last ``days`` days up to ``now``, and the ``days`` days before them."""
    if days < 1:
        raise ValueError("a window is at least one day long")
    current = Window(now - timedelta(days=days), now)
    return current, current.before()
