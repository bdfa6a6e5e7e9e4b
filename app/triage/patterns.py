"""Compile per-language regex lists into one case-insensitive pattern."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

#: Languages written without spaces between words: their fragments get no word boundaries.
UNSEGMENTED_LANGUAGES = frozenset({"ja", "zh"})

#: language code -> regex fragments
Lexicon = Mapping[str, Sequence[str]]


def compile_lexicon(lexicon: Lexicon) -> re.Pattern[str]:
    """One pattern matching any fragment; fragments of segmented languages match whole words.

    The word-boundary checks wrap the whole alternation once, so the engine rejects
    positions inside a word before trying any fragment.
    """
    words: list[str] = []
    unsegmented: list[str] = []
    for language, fragments in lexicon.items():
        target = unsegmented if language in UNSEGMENTED_LANGUAGES else words
        target.extend(f"(?:{fragment})" for fragment in fragments)
    parts: list[str] = []
    if words:
        parts.append(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)")
    parts.extend(unsegmented)
    if not parts:
        return re.compile(r"(?!x)x")
    return re.compile("|".join(parts), re.IGNORECASE)
