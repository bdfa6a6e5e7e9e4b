"""Measure a triage backend against labelled messages.

:func:`evaluate` is pure: rows and a backend in, an :class:`EvaluationReport` out. Loaders
read the project's own labelled set and the public Bitext customer-support sample, mapped
onto the taxonomy.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.intents import (
    ACCOUNT_ACCESS,
    ALWAYS_ESCALATE_INTENTS,
    BILLING_DISPUTE,
    BILLING_QUESTION,
    CANCELLATION,
    HUMAN_REQUEST,
)
from app.triage.signals import Signals, TriageBackend

LABELLED_PATH = Path(__file__).resolve().parent / "data" / "labelled_messages.jsonl"
BITEXT_RELATIVE_PATH = Path("datasets/bitext-customer-support/bitext_customer_support_sample.csv")

#: Bitext intents mapped onto the taxonomy; Bitext intents not listed are left out.
BITEXT_INTENT_MAP: Mapping[str, str] = {
    "contact_human_agent": HUMAN_REQUEST,
    "contact_customer_service": HUMAN_REQUEST,
    "get_refund": BILLING_DISPUTE,
    "delete_account": CANCELLATION,
    "recover_password": ACCOUNT_ACCESS,
    "registration_problems": ACCOUNT_ACCESS,
    "check_invoice": BILLING_QUESTION,
    "get_invoice": BILLING_QUESTION,
    "check_payment_methods": BILLING_QUESTION,
}
#: Bitext intents with no taxonomy equivalent that must nevertheless escalate.
BITEXT_MUST_ESCALATE_ONLY = frozenset({"complaint"})
MAX_EXAMPLES_PER_KIND = 25


@dataclass(frozen=True, slots=True)
class LabelledMessage:
    """One evaluation row; ``intent`` is None when only escalation is labelled."""

    text: str
    intent: str | None
    must_escalate: bool
    language: str | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class Miss:
    kind: str
    text: str
    expected: str
    got: str


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    total: int
    intent_total: int
    intent_correct: int
    must_escalate_total: int
    must_escalate_caught: int
    calm_total: int
    calm_flagged: int
    language_total: int
    language_correct: int
    #: (expected intent, predicted intent) -> count, for rows with an intent label
    confusion: Mapping[tuple[str, str], int] = field(default_factory=dict)
    misses: tuple[Miss, ...] = ()

    @property
    def intent_accuracy(self) -> float:
        return _ratio(self.intent_correct, self.intent_total)

    @property
    def must_escalate_recall(self) -> float:
        return _ratio(self.must_escalate_caught, self.must_escalate_total)

    @property
    def false_escalation_rate(self) -> float:
        """Share of calm routine messages flagged as always-escalate or frustrated."""
        return _ratio(self.calm_flagged, self.calm_total, empty=0.0)

    @property
    def language_accuracy(self) -> float:
        return _ratio(self.language_correct, self.language_total)

    def per_intent(self) -> dict[str, tuple[float, float, int]]:
        """Intent -> (precision, recall, rows labelled with it), from the confusion counts."""
        labelled: Counter[str] = Counter()
        predicted: Counter[str] = Counter()
        right: Counter[str] = Counter()
        for (expected, got), count in self.confusion.items():
            labelled[expected] += count
            predicted[got] += count
            if expected == got:
                right[expected] += count
        return {
            intent: (
                _ratio(right[intent], predicted[intent], empty=0.0),
                _ratio(right[intent], labelled[intent], empty=0.0),
                labelled[intent],
            )
            for intent in sorted(set(labelled) | set(predicted))
        }

    def summary(self) -> str:
        return (
            f"messages={self.total} "
            f"intent_accuracy={self.intent_accuracy:.3f} ({self.intent_correct}/"
            f"{self.intent_total}) "
            f"must_escalate_recall={self.must_escalate_recall:.3f} ({self.must_escalate_caught}/"
            f"{self.must_escalate_total}) "
            f"false_escalation_rate={self.false_escalation_rate:.3f} ({self.calm_flagged}/"
            f"{self.calm_total}) "
            f"language_accuracy={self.language_accuracy:.3f} ({self.language_correct}/"
            f"{self.language_total})"
        )


def _ratio(part: int, whole: int, *, empty: float = 1.0) -> float:
    return part / whole if whole else empty


def flagged_by_mood(signals: Signals) -> bool:
    """Frustrated or strongly negative."""
    return signals.frustration or signals.strongly_negative


def flags_escalation(
    signals: Signals, always_escalate: frozenset[str] = ALWAYS_ESCALATE_INTENTS
) -> bool:
    """Would these signals escalate on their own: an always-escalate intent, or the mood."""
    return signals.intent in always_escalate or flagged_by_mood(signals)


def evaluate(
    rows: Iterable[LabelledMessage],
    backend: TriageBackend,
    *,
    always_escalate: frozenset[str] = ALWAYS_ESCALATE_INTENTS,
) -> EvaluationReport:
    """Run ``backend`` over ``rows`` and count how its signals match the labels."""
    counts: Counter[str] = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    misses: list[Miss] = []
    per_kind: Counter[str] = Counter()

    def miss(kind: str, row: LabelledMessage, expected: str, got: str) -> None:
        if per_kind[kind] < MAX_EXAMPLES_PER_KIND:
            misses.append(Miss(kind, row.text[:200], expected, got))
        per_kind[kind] += 1

    for row in rows:
        counts["total"] += 1
        signals = backend.analyse(row.text)
        escalates = flags_escalation(signals, always_escalate)
        if row.intent is not None:
            counts["intent_total"] += 1
            confusion[(row.intent, signals.intent)] += 1
            if signals.intent == row.intent:
                counts["intent_correct"] += 1
            else:
                miss("intent", row, row.intent, signals.intent)
        if row.must_escalate:
            counts["must_total"] += 1
            if escalates:
                counts["must_caught"] += 1
            else:
                miss("must_escalate", row, "escalate", signals.explain())
        elif row.intent is not None:
            counts["calm_total"] += 1
            if escalates:
                counts["calm_flagged"] += 1
                miss("false_escalation", row, "no escalation", signals.explain())
        if row.language is not None:
            counts["language_total"] += 1
            if signals.language == row.language:
                counts["language_correct"] += 1
            else:
                miss("language", row, row.language, signals.language)

    return EvaluationReport(
        total=counts["total"],
        intent_total=counts["intent_total"],
        intent_correct=counts["intent_correct"],
        must_escalate_total=counts["must_total"],
        must_escalate_caught=counts["must_caught"],
        calm_total=counts["calm_total"],
        calm_flagged=counts["calm_flagged"],
        language_total=counts["language_total"],
        language_correct=counts["language_correct"],
        confusion=dict(sorted(confusion.items())),
        misses=tuple(misses),
    )


def load_labelled(path: Path = LABELLED_PATH) -> tuple[LabelledMessage, ...]:
    """Rows of a JSONL file of ``{"text", "intent", "must_escalate", "language"}``."""
    rows: list[LabelledMessage] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise ValueError(f"{path}:{number}: expected an object with a 'text' string")
        rows.append(
            LabelledMessage(
                text=record["text"],
                intent=record.get("intent"),
                must_escalate=bool(record.get("must_escalate", False)),
                language=record.get("language"),
                source=f"{path.name}:{number}",
            )
        )
    return tuple(rows)


def load_bitext(path: Path) -> tuple[LabelledMessage, ...]:
    """The Bitext sample's mapped rows: taxonomy intents plus must-escalate complaints."""
    rows: list[LabelledMessage] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            bitext_intent = record.get("intent", "")
            text = record.get("instruction", "")
            if bitext_intent in BITEXT_INTENT_MAP:
                intent: str | None = BITEXT_INTENT_MAP[bitext_intent]
                must = intent in ALWAYS_ESCALATE_INTENTS
            elif bitext_intent in BITEXT_MUST_ESCALATE_ONLY:
                intent, must = None, True
            else:
                continue
            rows.append(LabelledMessage(text, intent, must, "en", f"bitext:{bitext_intent}"))
    return tuple(rows)
