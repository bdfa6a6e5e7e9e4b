"""Slack's per-channel posting limit (about one message per second per channel)."""

from __future__ import annotations

import math
from collections.abc import Callable


class PerKeyRateLimiter:
    """Allow at most ``per_second`` calls per key; ``None`` allows everything."""

    def __init__(self, per_second: float | None, clock: Callable[[], float]) -> None:
        if per_second is not None and per_second <= 0:
            raise ValueError("per_second must be positive (or None to disable the limit)")
        self._interval = 1.0 / per_second if per_second else 0.0
        self._clock = clock
        self._last: dict[str, float] = {}

    def retry_after(self, key: str) -> int | None:
        """``None`` when the call may go ahead (and is counted), else whole seconds to wait."""
        if not self._interval:
            return None
        now = self._clock()
        last = self._last.get(key)
        if last is not None and now - last < self._interval:
            return max(1, math.ceil(self._interval - (now - last)))
        self._last[key] = now
        return None
