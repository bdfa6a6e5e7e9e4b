"""A triage engine measured message by message, for ``escalation-bot eval``.

:class:`MeasuredTriage` presents a :class:`TriageEngine` as a :class:`TriageBackend` (signals
per message), so :func:`app.triage.evaluation.evaluate` can score any engine, and keeps for each
message how long the engine took and, when the configured backend's result was not used, why
(``TriageOutcome.fallback_reason``). :func:`render_measured` prints what was measured.
"""

from __future__ import annotations

import math
import statistics
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from app.triage.engine import TriageEngine
from app.triage.signals import Signals


@dataclass(frozen=True, slots=True)
class Latency:
    """Per-message triage time, in milliseconds."""

    median_ms: float
    p95_ms: float
    max_ms: float
    count: int


def latency_of(samples_ms: Sequence[float]) -> Latency | None:
    """Median, 95th percentile (nearest rank) and maximum of ``samples_ms``; None if empty."""
    if not samples_ms:
        return None
    ordered = sorted(samples_ms)
    rank = max(1, math.ceil(0.95 * len(ordered)))
    return Latency(
        median_ms=statistics.median(ordered),
        p95_ms=ordered[rank - 1],
        max_ms=ordered[-1],
        count=len(ordered),
    )


@dataclass(frozen=True, slots=True)
class MeasuredRun:
    """What one engine did over a set of messages."""

    backend: str  # the engine measured: "offline" | "openai"
    model: str | None  # the model it asked, for a model-backed engine
    endpoint: str | None  # where that model is served
    messages: int
    fallbacks: Mapping[str, int]  # fallback reason -> messages
    latency: Latency | None

    @property
    def fell_back(self) -> int:
        return sum(self.fallbacks.values())


class MeasuredTriage:
    """Runs ``engine`` on each message, keeping its latency and any fallback reason."""

    def __init__(
        self,
        engine: TriageEngine,
        *,
        endpoint: str | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._engine = engine
        self._endpoint = endpoint
        self._clock = clock
        self._latencies_ms: list[float] = []
        self._fallbacks: Counter[str] = Counter()

    def analyse(self, text: str, *, account_language: str | None = None) -> Signals:
        started = self._clock()
        outcome = self._engine.triage(text, account_language=account_language)
        self._latencies_ms.append((self._clock() - started) * 1000.0)
        if outcome.fallback_reason:
            self._fallbacks[outcome.fallback_reason] += 1
        return outcome.signals

    def run(self) -> MeasuredRun:
        """The figures so far."""
        model = getattr(self._engine, "model", None)
        return MeasuredRun(
            backend=str(getattr(self._engine, "name", "offline")),
            model=model if isinstance(model, str) else None,
            endpoint=self._endpoint,
            messages=len(self._latencies_ms),
            fallbacks=dict(self._fallbacks.most_common()),
            latency=latency_of(self._latencies_ms),
        )


def render_measured(run: MeasuredRun) -> str:
    """Which backend (and model) was measured, its fallbacks and its per-message latency."""
    backend = run.backend
    if run.model is not None:
        backend += f", model {run.model}"
        if run.endpoint:
            backend += f" at {run.endpoint}"
    lines = [f"backend                  {backend}"]
    if run.backend != "offline":
        reasons = ", ".join(f"{reason} ({n})" for reason, n in run.fallbacks.items())
        lines.append(
            f"fell back to offline     {run.fell_back}/{run.messages} messages"
            + (f", scored on the offline result: {reasons}" if reasons else "")
        )
    if run.latency is None:
        lines.append("triage latency           no messages")
    else:
        latency = run.latency
        lines.append(
            f"triage latency           median {latency.median_ms:.1f} ms, "
            f"p95 {latency.p95_ms:.1f} ms, max {latency.max_ms:.1f} ms "
            f"({latency.count} messages)"
        )
    return "\n".join(lines)
