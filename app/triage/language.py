"""Language of a message as an ISO 639-1 code, restricted to the supported languages.

The lingua detector is slow to build and holds its n-gram models in memory, so one
detector is built lazily per process and shared. Very short or emoji-only text, and text the
detector is unsure about, falls back to the account's language (or English when unknown).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Final

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

SUPPORTED_LANGUAGES: Final[tuple[str, ...]] = ("en", "es", "de", "fr", "pt", "ja", "it", "nl")
DEFAULT_LANGUAGE: Final = "en"
#: Fewer letters than this and the text says too little about its language.
MIN_LETTERS: Final = 4
#: Below this detector confidence the account language (or the default) is used instead.
MIN_CONFIDENCE: Final = 0.4
#: The account language wins when its confidence is at least this share of the best one.
ACCOUNT_LANGUAGE_TIE: Final = 0.6
MAX_LANGUAGE_CHARS: Final = 600
#: lingua's low-accuracy mode needs a tenth of the memory (trigram models only) but
#: misreads short messages; high accuracy with models loaded on demand is the default.
LOW_ACCURACY_MODE: Final = False
#: Text that makes the detector load the models of every supported language.
_WARM_UP_TEXT: Final = "Hello, hola, hallo, bonjour, olá, ciao, goedendag, こんにちは"

_KANA = re.compile(r"[\u3040-\u30ff]")
_NON_WORD = re.compile(r"[\W\d_]+")
#: Quoted snippets (UI labels, error messages) are often in another language than the prose.
_QUOTED = re.compile(r"(?<!\w)(?:'[^'\n]{2,80}'|\"[^\"\n]{2,80}\")(?!\w)")

_lock = threading.Lock()
_detector: LanguageDetector | None = None


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    language: str
    confidence: float
    fallback: bool


def _build_detector() -> LanguageDetector:
    languages = [
        Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
        for code in SUPPORTED_LANGUAGES
    ]
    builder = LanguageDetectorBuilder.from_languages(*languages)
    if LOW_ACCURACY_MODE:
        builder = builder.with_low_accuracy_mode()
    return builder.build()


def detector() -> LanguageDetector:
    """The process-wide detector, built on first use."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                _detector = _build_detector()
    return _detector


def _normalise_account_language(account_language: str | None) -> str | None:
    if not account_language:
        return None
    code = account_language.strip().lower().replace("_", "-").split("-")[0]
    return code if code in SUPPORTED_LANGUAGES else None


def detect(prose: str, *, account_language: str | None = None) -> LanguageGuess:
    """Best supported language for ``prose``; never raises."""
    fallback = _normalise_account_language(account_language)
    sample = prose[:MAX_LANGUAGE_CHARS]
    if _KANA.search(sample):
        return LanguageGuess("ja", 1.0, fallback=False)
    unquoted = _QUOTED.sub(" ", sample)
    if len(_NON_WORD.sub("", unquoted)) >= MIN_LETTERS:
        sample = unquoted
    letters = _NON_WORD.sub("", sample)
    if len(letters) < MIN_LETTERS:
        return LanguageGuess(fallback or DEFAULT_LANGUAGE, 0.0, fallback=True)
    values = detector().compute_language_confidence_values(sample)
    scores = {value.language.iso_code_639_1.name.lower(): value.value for value in values}
    best = max(scores, key=lambda code: (scores[code], code == fallback))
    best_confidence = scores[best]
    preferred = fallback or DEFAULT_LANGUAGE
    if best != preferred:
        if best_confidence < MIN_CONFIDENCE:
            return LanguageGuess(preferred, scores.get(preferred, 0.0), fallback=True)
        if (
            fallback is not None
            and scores.get(fallback, 0.0) >= ACCOUNT_LANGUAGE_TIE * best_confidence
        ):
            return LanguageGuess(fallback, scores[fallback], fallback=True)
    return LanguageGuess(best, round(best_confidence, 4), fallback=False)


def warm_up() -> None:
    """Build the detector and load its models now rather than on the first message."""
    detector().compute_language_confidence_values(_WARM_UP_TEXT)
