"""Support vocabulary of the customer's languages, mapped to English search terms.

A help centre is often written in English while customers ask in their own language. A query
term the knowledge base does not contain is looked up here ("factura" -> "invoice"), so an
English article is found for a Spanish, German or Japanese question. A word the knowledge base
does contain also brings its English terms (the word may be from an article in that language
about something else). Phrases ("mot de passe") are matched as consecutive words; in languages
written without spaces (Japanese) a form is found inside a term.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

GLOSSARY_PATH = Path(__file__).resolve().parent / "data" / "glossary.yml"
#: Languages written without spaces between words: their forms are matched inside a term.
UNSPACED_LANGUAGES = frozenset({"ja"})


class GlossaryError(ValueError):
    """The glossary file is malformed."""


@dataclass(frozen=True, slots=True)
class Glossary:
    words: Mapping[str, tuple[str, ...]]  # a word of another language -> English terms
    unspaced: tuple[tuple[str, tuple[str, ...]], ...] = ()  # forms found inside a term
    phrases: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()  # ("mot", "de", "passe")

    def english(self, term: str) -> tuple[str, ...]:
        """The English terms for ``term``, most specific first; () when it has none."""
        found = self.words.get(term)
        if found:
            return found
        if term.isascii():
            return ()
        terms: list[str] = []
        for form, english in self.unspaced:
            if form in term:
                terms.extend(word for word in english if word not in terms)
        return tuple(terms)

    def phrases_in(self, tokens: list[str]) -> tuple[tuple[str, ...], frozenset[str]]:
        """The English terms of the phrases found in ``tokens``, and the tokens they used."""
        terms: list[str] = []
        used: set[str] = set()
        present = set(tokens)
        for phrase, english in self.phrases:
            if phrase[0] not in present:  # most phrases: not looked for position by position
                continue
            size = len(phrase)
            if any(tuple(tokens[i : i + size]) == phrase for i in range(len(tokens) - size + 1)):
                terms.extend(word for word in english if word not in terms)
                used.update(phrase)
        return tuple(terms), frozenset(used)


EMPTY_GLOSSARY = Glossary(words={})


def _english_form(token: str, key: str) -> bool:
    """``token`` is the English word itself or one of its inflections ("boards", "exported")."""
    return token == key or (token.startswith(key) and token[len(key) :] in _ENGLISH_ENDINGS)


_ENGLISH_ENDINGS = frozenset({"s", "es", "ed", "d", "ing"})


def parse_glossary(document: Any, *, tokenize: Callable[[str], list[str]]) -> Glossary:
    """The glossary of a loaded YAML ``document``; forms become tokens as the index makes them."""
    if not isinstance(document, dict) or not isinstance(document.get("terms"), dict):
        raise GlossaryError("expected a mapping under 'terms'")
    words: dict[str, list[str]] = {}
    unspaced: dict[str, list[str]] = {}
    phrases: dict[tuple[str, ...], list[str]] = {}
    for english, languages in document["terms"].items():
        if not isinstance(english, str) or not isinstance(languages, dict):
            raise GlossaryError(f"terms.{english}: expected a mapping of languages to words")
        [key] = tokenize(english) or [""]
        if not key:
            raise GlossaryError(f"terms.{english}: not a word")
        for language, forms in languages.items():
            if not isinstance(forms, list) or not all(isinstance(f, str) for f in forms):
                raise GlossaryError(f"terms.{english}.{language}: expected a list of words")
            for form in forms:
                tokens = tokenize(form)
                if language in UNSPACED_LANGUAGES and len(tokens) == 1:
                    target = unspaced.setdefault(tokens[0], [])
                elif len(tokens) == 1 and not _english_form(tokens[0], key):
                    target = words.setdefault(tokens[0], [])
                elif len(tokens) > 1:
                    target = phrases.setdefault(tuple(tokens), [])
                else:
                    continue  # the English word itself
                if key not in target:
                    target.append(key)
    longest_first = sorted(unspaced.items(), key=lambda item: (-len(item[0]), item[0]))
    return Glossary(
        words={form: tuple(keys) for form, keys in words.items()},
        unspaced=tuple((form, tuple(keys)) for form, keys in longest_first),
        phrases=tuple((phrase, tuple(keys)) for phrase, keys in phrases.items()),
    )


@lru_cache(maxsize=4)
def load_glossary(path: Path, tokenize: Callable[[str], list[str]]) -> Glossary:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        return parse_glossary(document, tokenize=tokenize)
    except GlossaryError as exc:
        raise GlossaryError(f"{path}: {exc}") from None
