"""The statistical intent classifier and the typo corrector that feeds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.triage.fuzzy import correct_typos, correct_word, edit_distance
from app.triage.intent_classifier import (
    Example,
    IntentClassifier,
    default_classifier,
    load_examples,
)

SAMPLES = [
    "how do I archive a project?",
    "we were charged twice",
    "Ich möchte kündigen",
    "",
    "🙏",
    "x" * 5000,
]


def test_fast_scoring_matches_the_scikit_learn_pipeline() -> None:
    classifier = default_classifier()
    for text in SAMPLES:
        expected = classifier.pipeline.predict_proba([text[:1000]])[0]
        assert classifier.probabilities(text) == pytest.approx(list(expected), abs=1e-9)


def test_probabilities_are_a_distribution_and_ranked() -> None:
    ranked = default_classifier().ranked("the gantt chart does not render")
    assert sum(p.confidence for p in ranked) == pytest.approx(1.0, abs=1e-3)
    assert [p.confidence for p in ranked] == sorted((p.confidence for p in ranked), reverse=True)
    assert ranked[0].intent == "bug_report"


def test_training_is_deterministic() -> None:
    examples = load_examples()
    first = IntentClassifier(examples)
    second = IntentClassifier(examples)
    for text in SAMPLES:
        assert first.probabilities(text) == second.probabilities(text)


def test_trains_on_other_examples() -> None:
    food = ["the pizza was cold", "cold soggy pizza", "pizza tasted stale", "cold pasta"]
    delivery = ["the driver was late", "courier arrived late", "late delivery", "driver lost"]
    classifier = IntentClassifier(
        [Example(text, "food", "en") for text in food]
        + [Example(text, "delivery", "en") for text in delivery]
    )
    assert classifier.intents == ("delivery", "food")
    assert classifier.predict("stale cold pizza").intent == "food"
    assert classifier.predict("the courier was very late").intent == "delivery"
    for text in ("stale cold pizza", "late courier", ""):
        expected = classifier.pipeline.predict_proba([text])[0]
        assert classifier.probabilities(text) == pytest.approx(list(expected), abs=1e-9)


def test_needs_two_intents() -> None:
    with pytest.raises(ValueError, match="two intents"):
        IntentClassifier([Example("a", "x", "en"), Example("b", "x", "en")])


def test_load_examples_rejects_malformed_files(tmp_path: Path) -> None:
    bad = tmp_path / "examples.yml"
    bad.write_text("intents: [a, b]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="intents"):
        load_examples(bad)
    bad.write_text("intents:\n  how_to: [a, b]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="how_to"):
        load_examples(bad)


@pytest.mark.parametrize(
    ("typo", "word"),
    [
        ("reimbvurse", "reimburse"),
        ("terminatoin", "termination"),
        ("acount", "account"),
        ("subscripton", "subscription"),
        ("somenoe", "someone"),
        ("compensatins", "compensation"),
    ],
)
def test_typos_of_key_words_are_corrected(typo: str, word: str) -> None:
    assert correct_word(typo) == word


@pytest.mark.parametrize(
    "word", ["deleted", "invoices", "contract", "managed", "breath", "cancelled", "Hello"]
)
def test_real_words_are_left_alone(word: str) -> None:
    assert correct_word(word) == word


def test_correct_typos_keeps_the_rest_of_the_text() -> None:
    assert correct_typos("pls cancle my acount, thx!") == "pls cancel my account, thx!"


def test_edit_distance_counts_transpositions_once_and_caps() -> None:
    assert edit_distance("abcd", "abdc", 2) == 1
    assert edit_distance("kitten", "sitting", 5) == 3
    assert edit_distance("kitten", "sitting", 1) == 2  # capped at limit + 1
