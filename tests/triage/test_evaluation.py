"""The evaluation report, the labelled sets and the quality bars."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from app.intents import ALWAYS_ESCALATE_INTENTS, INTENT_IDS
from app.triage.evaluation import (
    BITEXT_RELATIVE_PATH,
    EvaluationReport,
    LabelledMessage,
    evaluate,
    load_bitext,
    load_labelled,
)
from app.triage.language import SUPPORTED_LANGUAGES
from app.triage.offline import OfflineTriageBackend
from app.triage.signals import SentimentLabel, Signals, sentiment_label

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
BITEXT_CSV = SHARED / BITEXT_RELATIVE_PATH

MIN_INTENT_ACCURACY = 0.90
MIN_MUST_ESCALATE_RECALL = 0.99
MAX_FALSE_ESCALATION_RATE = 0.10


class FakeBackend:
    """Returns canned signals per text."""

    def __init__(self, answers: dict[str, tuple[str, float, bool]]) -> None:
        self.answers = answers

    def analyse(self, text: str, *, account_language: str | None = None) -> Signals:
        intent, sentiment, frustration = self.answers[text]
        return Signals(
            intent=intent,
            intent_confidence=1.0,
            sentiment=sentiment,
            sentiment_label=sentiment_label(sentiment),
            language=account_language or "en",
            frustration=frustration,
        )


@pytest.fixture(scope="module")
def backend() -> OfflineTriageBackend:
    backend = OfflineTriageBackend()
    backend.warm_up()
    return backend


def _assert_bars(report: EvaluationReport) -> None:
    details = "\n".join(
        f"{m.kind}: {m.text!r} expected {m.expected} got {m.got}" for m in report.misses
    )
    assert report.intent_accuracy >= MIN_INTENT_ACCURACY, report.summary() + "\n" + details
    assert report.must_escalate_recall >= MIN_MUST_ESCALATE_RECALL, (
        report.summary() + "\n" + details
    )
    assert report.false_escalation_rate <= MAX_FALSE_ESCALATION_RATE, (
        report.summary() + "\n" + details
    )


def test_evaluate_counts_each_metric() -> None:
    rows = [
        LabelledMessage("a", "how_to", False, "en"),  # correct, calm, not flagged
        LabelledMessage("b", "how_to", False, "en"),  # wrong intent, always-escalate -> flagged
        LabelledMessage("c", "cancellation", True, "en"),  # correct, caught by intent
        LabelledMessage("d", "bug_report", True, "de"),  # caught by frustration, wrong language
        LabelledMessage("e", None, True, None),  # complaint: caught by strong negativity
        LabelledMessage("f", None, True, None),  # complaint: missed
        LabelledMessage("g", "feedback", False, "en"),  # calm but frustrated -> flagged
    ]
    fake = FakeBackend(
        {
            "a": ("how_to", 0.0, False),
            "b": ("legal", 0.0, False),
            "c": ("cancellation", 0.0, False),
            "d": ("bug_report", -0.2, True),
            "e": ("how_to", -0.8, False),
            "f": ("how_to", -0.1, False),
            "g": ("feedback", 0.1, True),
        }
    )
    report = evaluate(rows, fake)
    assert report.total == 7
    assert (report.intent_correct, report.intent_total) == (4, 5)
    assert (report.must_escalate_caught, report.must_escalate_total) == (3, 4)
    assert (report.calm_flagged, report.calm_total) == (2, 3)
    assert (report.language_correct, report.language_total) == (4, 5)
    assert report.confusion[("how_to", "legal")] == 1
    assert report.confusion[("how_to", "how_to")] == 1
    assert report.intent_accuracy == pytest.approx(0.8)
    assert report.must_escalate_recall == pytest.approx(0.75)
    assert report.false_escalation_rate == pytest.approx(2 / 3)
    assert {miss.kind for miss in report.misses} == {
        "intent",
        "must_escalate",
        "false_escalation",
        "language",
    }
    assert "intent_accuracy=0.800" in report.summary()


def test_evaluate_on_no_rows_is_well_defined() -> None:
    report = evaluate([], FakeBackend({}))
    assert report.total == 0
    assert report.intent_accuracy == 1.0
    assert report.false_escalation_rate == 0.0


def test_load_labelled_rejects_rows_without_text(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"text": "ok", "intent": "feedback"}\n\n{"intent": "x"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=":3"):
        load_labelled(path)


def test_labelled_set_composition() -> None:
    rows = load_labelled()
    assert len(rows) >= 200
    languages = Counter(row.language for row in rows)
    assert set(languages) <= set(SUPPORTED_LANGUAGES)
    non_english = sum(count for language, count in languages.items() if language != "en")
    assert non_english / len(rows) >= 0.25
    assert len([language for language in languages if language != "en"]) >= 5
    assert {row.intent for row in rows} == set(INTENT_IDS)
    for row in rows:
        if row.intent in ALWAYS_ESCALATE_INTENTS:
            assert row.must_escalate, row.text
    texts = [row.text for row in rows]
    assert len(set(texts)) == len(texts)
    assert any("```" in text for text in texts)
    assert any("ignore" in text.lower() and "instructions" in text.lower() for text in texts)
    assert any(row.must_escalate and row.intent not in ALWAYS_ESCALATE_INTENTS for row in rows)


def test_quality_bars_on_the_labelled_set(backend: OfflineTriageBackend) -> None:
    report = evaluate(load_labelled(), backend)
    _assert_bars(report)
    assert report.language_accuracy >= 0.95, report.summary()


def test_calm_routine_questions_are_not_strongly_negative(backend: OfflineTriageBackend) -> None:
    calm = [row for row in load_labelled() if not row.must_escalate]
    labels = Counter(backend.analyse(row.text).sentiment_label for row in calm)
    assert labels[SentimentLabel.VERY_NEGATIVE] / len(calm) <= 0.05


def _bitext() -> Path:
    if not BITEXT_CSV.exists():
        pytest.skip(f"Bitext sample not found at {BITEXT_CSV} (the shared folder beside the repo)")
    return BITEXT_CSV


def test_bitext_loader_maps_onto_the_taxonomy() -> None:
    rows = load_bitext(_bitext())
    sources = Counter(row.source for row in rows)
    assert "bitext:complaint" in sources
    assert "bitext:cancel_order" not in sources
    complaints = [row for row in rows if row.source == "bitext:complaint"]
    assert all(row.intent is None and row.must_escalate for row in complaints)
    refunds = [row for row in rows if row.source == "bitext:get_refund"]
    assert refunds
    assert all(row.intent == "billing_dispute" and row.must_escalate for row in refunds)
    invoices = [row for row in rows if row.source == "bitext:get_invoice"]
    assert all(row.intent == "billing_question" and not row.must_escalate for row in invoices)


def test_quality_bars_on_the_bitext_sample(backend: OfflineTriageBackend) -> None:
    report = evaluate(load_bitext(_bitext()), backend)
    _assert_bars(report)


def test_per_intent_precision_and_recall_from_the_confusion() -> None:
    report = EvaluationReport(
        total=6,
        intent_total=6,
        intent_correct=4,
        must_escalate_total=0,
        must_escalate_caught=0,
        calm_total=0,
        calm_flagged=0,
        language_total=0,
        language_correct=0,
        confusion={
            ("how_to", "how_to"): 3,
            ("how_to", "bug_report"): 1,
            ("legal", "legal"): 1,
            ("bug_report", "how_to"): 1,
        },
    )
    per_intent = report.per_intent()
    assert per_intent["how_to"] == (0.75, 0.75, 4)
    assert per_intent["legal"] == (1.0, 1.0, 1)
    assert per_intent["bug_report"] == (0.0, 0.0, 1)
