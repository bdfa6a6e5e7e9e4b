"""The statistical intent classifier, its model file and the typo corrector that feeds it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from app.triage.fuzzy import correct_typos, correct_word
from app.triage.intent_classifier import (
    MODEL_PATH,
    WORD_PATTERN,
    Example,
    IntentClassifier,
    ModelFileError,
    char_wb_ngrams,
    default_classifier,
    load_examples,
    word_ngrams,
)

SAMPLES = [
    "how do I archive a project?",
    "we were charged twice",
    "Ich möchte kündigen",
    "請求額が間違っています",
    "",
    "🙏",
    "x" * 5000,
]


@pytest.fixture(scope="module")
def trained() -> IntentClassifier:
    return IntentClassifier.train(load_examples())


@pytest.mark.parametrize(
    "text",
    [
        "Où est-ce que je peux télécharger nos factures ?",
        "a b  c\td I ok",
        "ガントチャートが表示されません",
        "Ünïcödé ﬁle naïve café 2FA x",
        "",
    ],
)
def test_analyzers_match_scikit_learn(text: str) -> None:
    words = TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), token_pattern=WORD_PATTERN, strip_accents="unicode"
    ).build_analyzer()
    chars = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), strip_accents="unicode"
    ).build_analyzer()
    assert word_ngrams(text, (1, 2)) == words(text)
    assert char_wb_ngrams(text, (2, 5)) == chars(text)


def test_fast_scoring_matches_the_scikit_learn_pipeline(trained: IntentClassifier) -> None:
    for text in SAMPLES:
        expected = trained.pipeline.predict_proba([text[:1000]])[0]
        assert trained.probabilities(text) == pytest.approx(list(expected), abs=1e-9)


def test_a_saved_model_scores_like_the_trained_one(
    trained: IntentClassifier, tmp_path: Path
) -> None:
    path = tmp_path / "model.npz"
    trained.save(path)
    loaded = IntentClassifier.load(path)
    assert loaded.intents == trained.intents
    assert loaded.feature_count == trained.feature_count
    assert loaded.pipeline is None
    for text in SAMPLES:
        assert loaded.probabilities(text) == pytest.approx(trained.probabilities(text), abs=1e-5)


def test_the_model_file_holds_no_pickles(trained: IntentClassifier, tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    trained.save(path)
    with np.load(path, allow_pickle=False) as stored:
        assert all(stored[name].dtype != object for name in stored.files)


def test_unusable_model_files_are_refused(trained: IntentClassifier, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a model")
    with pytest.raises(ModelFileError):
        IntentClassifier.load(garbage)
    path = tmp_path / "model.npz"
    trained.save(path)
    with np.load(path, allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    header = json.loads(arrays["header"].tobytes())
    header["format"] = 99
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    other = tmp_path / "other.npz"
    np.savez(other, **arrays)
    with pytest.raises(ModelFileError, match="format 99"):
        IntentClassifier.load(other)
    arrays["weights"] = arrays["weights"][:-1]
    arrays["header"] = np.frombuffer(json.dumps({**header, "format": 1}).encode(), dtype=np.uint8)
    np.savez(other, **arrays)
    with pytest.raises(ModelFileError, match="do not fit"):
        IntentClassifier.load(other)
    with pytest.raises(FileNotFoundError):
        IntentClassifier.load(tmp_path / "absent.npz")


def test_the_default_classifier_is_the_shipped_model() -> None:
    classifier = default_classifier()
    assert MODEL_PATH.is_file()
    assert classifier.pipeline is None
    assert classifier.provenance == IntentClassifier.load(MODEL_PATH).provenance


def test_probabilities_are_a_distribution_and_ranked() -> None:
    ranked = default_classifier().ranked("the gantt chart does not render")
    assert sum(p.confidence for p in ranked) == pytest.approx(1.0, abs=1e-3)
    assert [p.confidence for p in ranked] == sorted((p.confidence for p in ranked), reverse=True)
    assert ranked[0].intent == "bug_report"


def test_training_is_deterministic() -> None:
    examples = load_examples()
    first = IntentClassifier.train(examples)
    second = IntentClassifier.train(examples)
    for text in SAMPLES:
        assert first.probabilities(text) == second.probabilities(text)


def test_trains_on_other_examples() -> None:
    food = ["the pizza was cold", "cold soggy pizza", "pizza tasted stale", "cold pasta"]
    delivery = ["the driver was late", "courier arrived late", "late delivery", "driver lost"]
    classifier = IntentClassifier.train(
        [Example(text, "food", "en") for text in food]
        + [Example(text, "delivery", "en") for text in delivery]
    )
    assert classifier.intents == ("delivery", "food")
    assert classifier.predict("stale cold pizza").intent == "food"
    assert classifier.predict("the courier was very late").intent == "delivery"
    for text in ("stale cold pizza", "late courier", ""):
        expected = classifier.pipeline.predict_proba([text])[0]
        assert classifier.probabilities(text) == pytest.approx(list(expected), abs=1e-9)


def test_sample_weights_are_used_as_given() -> None:
    examples = [
        Example("refund please", "money", "en"),
        Example("refund my password", "login", "en"),
        Example("reset password", "login", "en"),
    ]
    even = IntentClassifier.train(examples, sample_weights=[1.0, 1.0, 1.0])
    heavy = IntentClassifier.train(examples, sample_weights=[1.0, 10.0, 1.0])
    assert even.intents == heavy.intents == ("login", "money")
    assert heavy.probabilities("refund")[0] > even.probabilities("refund")[0]


def test_needs_two_intents() -> None:
    with pytest.raises(ValueError, match="two intents"):
        IntentClassifier.train([Example("a", "x", "en"), Example("b", "x", "en")])


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
