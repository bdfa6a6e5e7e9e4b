"""Language detection and its fallbacks."""

from __future__ import annotations

import pytest

from app.triage.language import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, detect, detector


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hi, how do I export the timeline to PDF?", "en"),
        ("Hola, ¿cómo exporto la línea de tiempo a PDF?", "es"),
        ("Hallo, wie exportiere ich die Zeitleiste als PDF?", "de"),
        ("Bonjour, comment exporter la chronologie en PDF ?", "fr"),
        ("Olá, como exporto a linha do tempo em PDF?", "pt"),
        ("タイムラインをPDFでエクスポートする方法を教えてください", "ja"),
        ("Ciao, come esporto la sequenza temporale in PDF?", "it"),
        ("Hoi, hoe exporteer ik de tijdlijn naar PDF?", "nl"),
    ],
)
def test_detects_supported_languages(text: str, language: str) -> None:
    guess = detect(text)
    assert guess.language == language
    assert not guess.fallback
    assert 0.0 < guess.confidence <= 1.0


@pytest.mark.parametrize("text", ["", "👍", "ok", "🙏🙏🙏 !!"])
def test_very_short_or_emoji_only_text_falls_back_to_the_account_language(text: str) -> None:
    guess = detect(text, account_language="de")
    assert guess.language == "de"
    assert guess.fallback
    assert detect(text).language == DEFAULT_LANGUAGE


def test_account_language_wins_a_close_call() -> None:
    ambiguous = "Olá, quero cancelar"  # reads as Spanish or Portuguese
    assert detect(ambiguous, account_language="pt").language == "pt"
    assert detect(ambiguous, account_language="es").language == "es"


def test_clear_text_is_not_overridden_by_the_account_language() -> None:
    guess = detect("Bonjour, je n'arrive pas à me connecter depuis ce matin", account_language="de")
    assert guess.language == "fr"
    assert not guess.fallback


def test_account_language_codes_are_normalised() -> None:
    assert detect("👍", account_language="pt-BR").language == "pt"
    assert detect("👍", account_language="zh").language == DEFAULT_LANGUAGE


def test_quoted_english_ui_strings_do_not_decide_the_language() -> None:
    text = "Die Salesforce-Integration meldet seit gestern 'authentication failed'"
    assert detect(text).language == "de"


def test_mixed_languages_yield_one_supported_language() -> None:
    guess = detect("hola team, the export is broken otra vez, sale un error")
    assert guess.language in {"en", "es"}


def test_detector_is_built_once() -> None:
    assert detector() is detector()
    assert set(SUPPORTED_LANGUAGES) >= {"en", "es", "de", "fr", "pt", "ja", "it", "nl"}
