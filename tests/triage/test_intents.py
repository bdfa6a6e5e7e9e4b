"""The taxonomy and the classifier's training data."""

from __future__ import annotations

import re
import unicodedata

import pytest

from app.intents import (
    ALWAYS_ESCALATE_INTENTS,
    DEFAULT_SKILL_MAP,
    DEFAULT_TAXONOMY,
    INTENT_IDS,
    IntentSpec,
    Taxonomy,
)
from app.triage.evaluation import load_labelled
from app.triage.intent_classifier import load_examples

EXPECTED_SKILLS = {
    "how_to": "technical",
    "bug_report": "technical",
    "outage": "technical",
    "data_loss": "technical",
    "billing_dispute": "billing",
    "billing_question": "billing",
    "cancellation": "account_management",
    "legal": "trust",
    "security": "trust",
    "account_access": "technical",
    "feature_request": "technical",
    "integration": "technical",
    "human_request": "general",
    "feedback": "general",
}
NON_ENGLISH = ("es", "de", "fr", "pt", "ja", "it", "nl")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\W_]+", " ", text).strip()


def test_default_taxonomy_has_the_fixed_ids_and_skills() -> None:
    assert set(INTENT_IDS) == set(EXPECTED_SKILLS)
    assert dict(DEFAULT_SKILL_MAP) == EXPECTED_SKILLS


def test_always_escalate_intents() -> None:
    expected = {
        "billing_dispute",
        "cancellation",
        "legal",
        "security",
        "human_request",
        "data_loss",
    }
    assert expected == ALWAYS_ESCALATE_INTENTS
    assert DEFAULT_TAXONOMY.is_always_escalate("legal")
    assert not DEFAULT_TAXONOMY.is_always_escalate("how_to")


def test_skill_map_constant_is_read_only() -> None:
    with pytest.raises(TypeError):
        DEFAULT_SKILL_MAP["how_to"] = "billing"  # type: ignore[index]


def test_extended_overrides_and_appends() -> None:
    taxonomy = DEFAULT_TAXONOMY.extended(
        [
            IntentSpec("how_to", "general", False, "override"),
            IntentSpec("procurement", "billing", True, "vendor forms"),
        ]
    )
    assert taxonomy.skill_for("how_to") == "general"
    assert taxonomy.ids[-1] == "procurement"
    assert taxonomy.is_always_escalate("procurement")
    assert DEFAULT_TAXONOMY.skill_for("how_to") == "technical"
    assert len(taxonomy.ids) == len(INTENT_IDS) + 1


def test_taxonomy_rejects_duplicates_and_unknown_ids() -> None:
    spec = IntentSpec("x", "general", False, "")
    with pytest.raises(ValueError, match="duplicate"):
        Taxonomy((spec, spec))
    with pytest.raises(ValueError):
        Taxonomy(())
    with pytest.raises(KeyError):
        DEFAULT_TAXONOMY.get("nope")


def test_training_examples_cover_every_intent_in_the_taxonomy() -> None:
    examples = load_examples()
    intents = {example.intent for example in examples}
    assert intents == set(INTENT_IDS)
    for intent in INTENT_IDS:
        assert sum(example.intent == intent for example in examples) >= 20, intent


@pytest.mark.parametrize("language", NON_ENGLISH)
def test_training_examples_are_multilingual_for_escalating_intents(language: str) -> None:
    examples = load_examples()
    covered = {example.intent for example in examples if example.language == language}
    assert covered >= ALWAYS_ESCALATE_INTENTS


def test_no_overlap_between_training_examples_and_labelled_set() -> None:
    training = {_normalise(example.text) for example in load_examples()}
    labelled = {_normalise(row.text) for row in load_labelled()}
    assert not training & labelled


def test_training_examples_have_no_duplicates() -> None:
    texts = [_normalise(example.text) for example in load_examples()]
    duplicates = {text for text in texts if texts.count(text) > 1}
    assert not duplicates
