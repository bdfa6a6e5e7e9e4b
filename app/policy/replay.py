"""Replays past messages through the trigger matrix: escalation rates before and after a change.

Triage (signals and answer confidence) runs once per message; only the matrix is re-evaluated,
so a lead can tune thresholds on history before changing them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.config_file import PolicyConfig
from app.policy.matrix import TRIGGER_TYPES, RepeatContext, decide
from app.triage.signals import Signals


@dataclass(frozen=True)
class ReplayCase:
    signals: Signals
    confidence: float
    tier: str
    repeat: bool = False


@dataclass
class Rates:
    total: int = 0
    escalated: int = 0
    by_trigger: Counter[str] = field(default_factory=Counter)
    by_intent: dict[str, list[int]] = field(default_factory=dict)  # intent -> [escalated, total]
    by_tier: dict[str, list[int]] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.escalated / self.total if self.total else 0.0


def replay(cases: Iterable[ReplayCase], policy: PolicyConfig) -> Rates:
    rates = Rates()
    for case in cases:
        decision = decide(
            signals=case.signals,
            confidence=case.confidence,
            tier=case.tier,
            policy=policy,
            repeat=RepeatContext(after_bot_answer=case.repeat),
        )
        rates.total += 1
        rates.escalated += decision.escalate
        rates.by_trigger.update(decision.fired_types)
        for table, key in ((rates.by_intent, case.signals.intent), (rates.by_tier, case.tier)):
            counts = table.setdefault(key, [0, 0])
            counts[0] += decision.escalate
            counts[1] += 1
    return rates


def render_comparison(before: Rates, after: Rates, *, changes: Sequence[str]) -> str:
    """A plain-text report: overall, per trigger, per intent, per tier; before → after."""
    lines = [
        f"Replayed {before.total} messages"
        + (f" with {', '.join(changes)}" if changes else " (no overrides)"),
        "",
        f"{'':<28}{'before':>10}{'after':>10}",
        f"{'escalation rate':<28}{_pct(before.rate):>10}{_pct(after.rate):>10}",
        "",
        "fired, share of messages",
    ]
    for trigger in TRIGGER_TYPES:
        lines.append(
            f"  {trigger:<26}{_pct(_share(before.by_trigger[trigger], before.total)):>10}"
            f"{_pct(_share(after.by_trigger[trigger], after.total)):>10}"
        )
    for title, b_table, a_table in (
        ("escalation rate per intent", before.by_intent, after.by_intent),
        ("escalation rate per tier", before.by_tier, after.by_tier),
    ):
        lines += ["", title]
        for key in sorted(b_table):
            b_esc, b_total = b_table[key]
            a_esc, a_total = a_table.get(key, [0, 0])
            lines.append(
                f"  {key + f' ({b_total})':<26}{_pct(_share(b_esc, b_total)):>10}"
                f"{_pct(_share(a_esc, a_total)):>10}"
            )
    return "\n".join(lines)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"
