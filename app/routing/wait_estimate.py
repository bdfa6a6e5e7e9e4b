"""How long the customer will likely wait for a person, and how to say it in their language.

The estimate is ``median(recent claim times) * (1 + queue_ahead / agents_on_shift)``: with nobody
ahead, a claim takes about the usual time; every escalation ahead of this one is shared among the
agents on shift, and each costs roughly one more usual claim time. The result is clamped to
:data:`MIN_WAIT`..:data:`MAX_WAIT`. With fewer than :data:`MIN_SAMPLES` recent claims, or nobody
on shift, the wait is unknown (None).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from datetime import timedelta

from app.messages import Overrides, render

MIN_SAMPLES = 3
MIN_WAIT = timedelta(minutes=1)
MAX_WAIT = timedelta(hours=8)


def estimate_wait(
    *, recent_claim_seconds: Sequence[float], queue_ahead: int, agents_on_shift: int
) -> timedelta | None:
    """The expected wait, or None when unknown.

    ``recent_claim_seconds`` are recent times from posting to claim; non-finite values are
    ignored and negative ones (clock skew) count as zero. ``queue_ahead`` counts the open
    escalations waiting before this one."""
    if queue_ahead < 0:
        raise ValueError(f"queue_ahead cannot be negative, got {queue_ahead}")
    samples = [max(0.0, s) for s in recent_claim_seconds if math.isfinite(s)]
    if len(samples) < MIN_SAMPLES or agents_on_shift <= 0:
        return None
    seconds = statistics.median(samples) * (1 + queue_ahead / agents_on_shift)
    return min(max(timedelta(seconds=seconds), MIN_WAIT), MAX_WAIT)


def wait_text(
    estimate: timedelta | None, *, language: str, overrides: Overrides | None = None
) -> str:
    """``about 10 minutes``, ``about 2 hours``, or ``within business hours`` when unknown.

    Under 90 minutes the wait is given in minutes, rounded to 5 (at least 5); from 90 minutes
    on, in whole hours (at least 2), so that the number never needs a singular form."""
    if estimate is None:
        return render("wait.unknown", language=language, overrides=overrides)
    minutes = estimate.total_seconds() / 60
    if minutes < 90:
        n = max(5, _round_half_up(minutes / 5) * 5)
        return render("wait.minutes", language=language, overrides=overrides, n=str(n))
    n = max(2, _round_half_up(minutes / 60))
    return render("wait.hours", language=language, overrides=overrides, n=str(n))


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)
