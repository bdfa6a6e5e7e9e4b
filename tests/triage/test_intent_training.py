"""Building the shipped intent model: its data, its variants, its provenance, the fallback."""

from __future__ import annotations

import csv
import logging
import re
import shutil
from pathlib import Path

import pytest

from app.intents import INTENT_IDS
from app.triage import intent_classifier, intent_training
from app.triage.evaluation import load_labelled
from app.triage.intent_classifier import MODEL_PATH, Example, IntentClassifier, load_or_train
from app.triage.intent_training import (
    BITEXT_SOURCE,
    DEFAULT_BITEXT_PATH,
    PARAPHRASES_PATH,
    RECIPE_KEY,
    load_bitext,
    load_bitext_mapping,
    model_text,
    product_examples,
    reword,
    slack_variant,
    stale_sources,
    training_provenance,
    training_rows,
)

PROBES = [
    "we were charged twice for march, please refund one",
    "hola, ¿cómo exporto un informe a PDF?",
    "wie setze ich mein Passwort zurück?",
    "<@U123> the board freezes when I open it :sweat_smile:",
    "請求書はどこからダウンロードできますか？",  # noqa: RUF001
    "pls cancle our subscripton",
]


def _bitext() -> Path:
    if not DEFAULT_BITEXT_PATH.is_file():
        pytest.skip(f"Bitext sample not found at {DEFAULT_BITEXT_PATH}")
    return DEFAULT_BITEXT_PATH


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def test_the_shipped_model_was_built_from_the_shipped_files() -> None:
    shipped = IntentClassifier.load(MODEL_PATH)
    assert stale_sources(shipped.provenance) == [], (
        "the training data changed: rebuild with `python -m app.triage.intent_training`"
    )
    assert shipped.provenance[RECIPE_KEY] == intent_training.RECIPE_VERSION


def test_the_shipped_model_was_built_from_this_bitext_sample() -> None:
    shipped = IntentClassifier.load(MODEL_PATH)
    assert shipped.provenance[BITEXT_SOURCE] == training_provenance(_bitext())[BITEXT_SOURCE]


def test_retraining_reproduces_the_shipped_model() -> None:
    rebuilt = intent_training.build(_bitext())
    shipped = IntentClassifier.load(MODEL_PATH)
    assert rebuilt.intents == shipped.intents
    assert rebuilt.feature_count == shipped.feature_count
    for text in PROBES:
        prepared = model_text(text)
        assert shipped.probabilities(prepared) == pytest.approx(
            rebuilt.probabilities(prepared), abs=1e-4
        )


def test_the_shipped_model_knows_every_intent_of_the_taxonomy() -> None:
    assert set(IntentClassifier.load(MODEL_PATH).intents) == set(INTENT_IDS)


def test_a_changed_file_makes_the_model_stale() -> None:
    provenance = training_provenance(None)
    assert stale_sources(provenance) == []
    assert stale_sources({**provenance, "intent_examples.yml": "0" * 64}) == ["intent_examples.yml"]
    assert stale_sources({**provenance, RECIPE_KEY: "0"}) == [RECIPE_KEY]


def test_a_missing_model_falls_back_to_training_on_the_shipped_examples(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=intent_classifier.__name__):
        classifier = load_or_train(tmp_path / "absent.npz")
    assert "is missing" in caplog.text
    assert "python -m app.triage.intent_training" in caplog.text
    assert classifier.pipeline is not None
    assert set(classifier.intents) == set(INTENT_IDS)
    assert classifier.predict(model_text("I want a refund")).intent == "billing_dispute"


def test_a_stale_model_is_not_used(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    examples = [Example("refund please", "billing_dispute", "en"), Example("hi", "feedback", "en")]
    stale = IntentClassifier.train(
        examples, provenance={**training_provenance(None), "intent_paraphrases.yml": "old"}
    )
    path = tmp_path / "model.npz"
    stale.save(path)
    with caplog.at_level(logging.WARNING, logger=intent_classifier.__name__):
        classifier = load_or_train(path)
    assert "other versions of intent_paraphrases.yml" in caplog.text
    assert set(classifier.intents) == set(INTENT_IDS)


def test_a_current_model_is_loaded_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    shutil.copy(MODEL_PATH, path)
    classifier = load_or_train(path)
    assert classifier.pipeline is None


def test_every_bitext_intent_is_mapped_or_left_out_with_a_reason() -> None:
    mapping = load_bitext_mapping()
    assert set(mapping.intents.values()) <= set(INTENT_IDS)
    assert not set(mapping.intents) & mapping.left_out
    with _bitext().open(encoding="utf-8", newline="") as handle:
        bitext_intents = {row["intent"] for row in csv.DictReader(handle)}
    assert bitext_intents == set(mapping.intents) | mapping.left_out


def test_the_bitext_holdout_is_a_fifth_and_never_trained_on() -> None:
    mapping = load_bitext_mapping()
    train = load_bitext(_bitext(), mapping)
    held_out = load_bitext(_bitext(), mapping, holdout=True)
    assert 0.15 < len(held_out) / (len(train) + len(held_out)) < 0.25
    words = lambda text: " ".join(re.findall(r"\w+", text.lower()))  # noqa: E731
    assert not {words(example.text) for example in train} & {
        words(example.text) for example in held_out
    }


def test_bitext_is_reworded_into_the_product_s_vocabulary() -> None:
    words = {"order": ("subscription", "plan")}
    assert reword("Cancel ORDER 1234", words) in {"Cancel subscription 1234", "Cancel plan 1234"}
    assert reword("reorder the columns", words) == "reorder the columns"
    rows = load_bitext(_bitext(), load_bitext_mapping())
    cancellations = [row.text for row in rows if row.intent == "cancellation"]
    assert not any("order" in text.split() for text in cancellations)
    assert not any("platinum" in row.text.lower().split() for row in rows)


def test_slack_variants_are_reproducible_and_keep_the_meaning() -> None:
    import random

    text = "please can you cancel our subscription"
    first = [slack_variant(text, "en", random.Random(f"{i}:{text}")) for i in range(20)]
    again = [slack_variant(text, "en", random.Random(f"{i}:{text}")) for i in range(20)]
    assert first == again
    assert len(set(first)) > 10
    assert any("<@" in variant or "<!" in variant for variant in first)
    # most variants keep the key word, or misspell it in a way the typo corrector repairs
    kept = sum("cancel" in model_text(variant).lower() for variant in first)
    assert kept >= 16


def test_training_rows_balance_the_intents() -> None:
    examples = [Example("refund please", "billing_dispute", "en")] + [
        Example(f"how do I export report {n}", "how_to", "en") for n in range(5)
    ]
    rows = training_rows(examples, variants=2)
    assert len(rows) == 6 * 3
    totals: dict[str, float] = {}
    for row in rows:
        totals[row.intent] = totals.get(row.intent, 0.0) + row.weight
    assert totals["billing_dispute"] == pytest.approx(totals["how_to"])
    assert all("<@" not in row.text for row in rows)  # Slack markup resolved as at run time


def test_paraphrases_are_new_sentences_in_every_language() -> None:
    paraphrases = intent_classifier.load_examples(PARAPHRASES_PATH)
    examples = intent_classifier.load_examples()
    texts = [_normalise(example.text) for example in paraphrases]
    assert len(texts) == len(set(texts))
    assert not set(texts) & {_normalise(example.text) for example in examples}
    assert not set(texts) & {_normalise(row.text) for row in load_labelled()}
    languages = {example.language for example in paraphrases}
    assert languages == {"en", "es", "de", "fr", "pt", "ja", "it", "nl"}
    assert {example.intent for example in product_examples()} == set(INTENT_IDS)
