"""Read a YAML file of per-language regex lexicons, checked for shape before anything uses it.

A file holds ``lexicons`` (name -> language -> fragments), optional named ``fragments`` that
patterns use as ``{{name}}`` (a piece may use the pieces above it), and optional ``literals``
(name -> strings matched as they are). A malformed file raises :class:`LexiconFileError`
naming the file and the entry.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from app.triage.patterns import Lexicon

DATA_DIR = Path(__file__).resolve().parent / "data"

_PLACEHOLDER = re.compile(r"\{\{([a-z][a-z0-9_]*)\}\}")

_Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
#: An ISO 639-1 language code.
_Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
_Text = Annotated[str, StringConstraints(min_length=1)]


class LexiconFileError(ValueError):
    """A lexicon file is unreadable or malformed; the message names the file and the entry."""


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fragments: dict[_Name, _Text] = {}
    lexicons: dict[_Name, dict[_Language, tuple[_Text, ...]]]
    literals: dict[_Name, tuple[_Text, ...]] = {}


@dataclass(frozen=True, slots=True)
class LexiconFile:
    """A file's lexicons, with every ``{{name}}`` filled in, and its literal strings."""

    lexicons: Mapping[str, Lexicon]
    literals: Mapping[str, tuple[str, ...]]


@lru_cache(maxsize=8)
def load_lexicon_file(
    path: Path, *, lexicons: tuple[str, ...], literals: tuple[str, ...] = ()
) -> LexiconFile:
    """The file at ``path``, which must hold exactly the named lexicons and literals."""
    try:
        document: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconFileError(f"{path}: unreadable: {exc}") from None
    try:
        return parse_lexicon_document(document, lexicons=lexicons, literals=literals)
    except LexiconFileError as exc:
        raise LexiconFileError(f"{path}: {exc}") from None


def parse_lexicon_document(
    document: Any, *, lexicons: Collection[str], literals: Collection[str] = ()
) -> LexiconFile:
    """A loaded YAML ``document`` as a :class:`LexiconFile`; its names must be those given."""
    try:
        parsed = _Document.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise LexiconFileError(f"{_dotted(first['loc'])}: {first['msg']}") from None
    _expect_names("lexicons", parsed.lexicons, lexicons)
    _expect_names("literals", parsed.literals, literals)
    pieces: dict[str, str] = {}
    for name, piece in parsed.fragments.items():
        pieces[name] = _fill(piece, pieces, where=f"fragments.{name}")
    return LexiconFile(
        lexicons={
            name: {
                language: tuple(
                    _pattern(fragment, pieces, where=f"lexicons.{name}.{language}[{index}]")
                    for index, fragment in enumerate(fragments)
                )
                for language, fragments in by_language.items()
            }
            for name, by_language in parsed.lexicons.items()
        },
        literals=dict(parsed.literals),
    )


def _dotted(loc: tuple[str | int, ...]) -> str:
    """``("lexicons", "legal", "en", 3)`` -> ``lexicons.legal.en[3]``; a bad key is the entry."""
    where = ""
    for part in loc:
        if isinstance(part, int):
            where += f"[{part}]"
        elif part != "[key]":
            where += f".{part}" if where else part
    return where or "the file"


def _expect_names(section: str, found: Mapping[str, object], expected: Collection[str]) -> None:
    missing = [name for name in expected if name not in found]
    unknown = [name for name in found if name not in expected]
    if missing:
        raise LexiconFileError(f"{section}: missing {', '.join(missing)}")
    if unknown:
        raise LexiconFileError(
            f"{section}.{unknown[0]}: unknown name (expected: {', '.join(expected) or 'none'})"
        )


def _fill(text: str, pieces: Mapping[str, str], *, where: str) -> str:
    """``text`` with each ``{{name}}`` replaced by the piece of that name."""

    def piece(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in pieces:
            known = ", ".join(pieces) or "none"
            raise LexiconFileError(f"{where}: unknown fragment {{{{{name}}}}} (known: {known})")
        return pieces[name]

    return _PLACEHOLDER.sub(piece, text)


def _pattern(fragment: str, pieces: Mapping[str, str], *, where: str) -> str:
    """The fragment with its pieces filled in, checked to be a valid regular expression."""
    pattern = _fill(fragment, pieces, where=where)
    try:
        re.compile(pattern)
    except re.error as exc:
        raise LexiconFileError(f"{where}: not a valid pattern: {exc}") from None
    return pattern
