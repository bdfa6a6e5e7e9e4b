"""Word stems: the one stemmer of the product (Snowball), for the knowledge-base index, the
choice of an answer's passage and the topics of the knowledge-gap queue.

``stem`` takes a folded word (see ``index.fold``) and a language code; the supported languages
with a Snowball algorithm are stemmed in their own language, any other (Japanese, unknown) with
the English one, which leaves words without Latin letters as they are.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]

DEFAULT_ALGORITHM = "english"
#: Snowball algorithm of each supported language that has one (Japanese has none).
ALGORITHMS = {
    "en": "english",
    "es": "spanish",
    "de": "german",
    "fr": "french",
    "pt": "portuguese",
    "it": "italian",
    "nl": "dutch",
}
_CACHE_SIZE = 65_536

# Snowball stemmers keep the word being stemmed in the object: one per thread and algorithm.
_stemmers = threading.local()


def algorithm_of(language: str | None) -> str:
    """The Snowball algorithm for a language code such as ``"es"`` or ``"pt-BR"``."""
    code = (language or "").split("-")[0].split("_")[0].lower()
    return ALGORITHMS.get(code, DEFAULT_ALGORITHM)


def stem(word: str, language: str | None = None) -> str:
    """The stem of a folded ``word`` in ``language`` (English when unknown)."""
    return _stem(word, algorithm_of(language))


def stems(words: Iterable[str], language: str | None = None) -> list[str]:
    """The stem of each word, in order."""
    algorithm = algorithm_of(language)
    return [_stem(word, algorithm) for word in words]


@lru_cache(maxsize=_CACHE_SIZE)
def _stem(word: str, algorithm: str) -> str:
    return str(_stemmer(algorithm).stemWord(word)) or word


def _stemmer(algorithm: str) -> Any:
    by_algorithm: dict[str, Any] | None = getattr(_stemmers, "by_algorithm", None)
    if by_algorithm is None:
        by_algorithm = _stemmers.by_algorithm = {}
    if algorithm not in by_algorithm:
        by_algorithm[algorithm] = snowballstemmer.stemmer(algorithm)
    return by_algorithm[algorithm]
