"""The built-in wording of every customer-facing message, read from ``catalogue.yml``.

The template keys and the placeholders each takes are the code's contract with its callers
(:data:`PLACEHOLDERS`); the file holds the words. Loading checks that every message has a
wording in every language of the file, using exactly the placeholders of its key, and that every
language has its duration units. A file that does not raises :class:`CatalogueError` naming the
file and the entry.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

CATALOGUE_PATH = Path(__file__).resolve().parent / "catalogue.yml"

FALLBACK_LANGUAGE = "en"

#: Template key -> the placeholders its template may use (and ``render`` requires).
PLACEHOLDERS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "transition.billing": frozenset({"customer"}),
        "transition.technical": frozenset({"customer"}),
        "transition.account_management": frozenset({"customer"}),
        "transition.trust": frozenset({"customer"}),
        "transition.general": frozenset({"customer"}),
        "wait": frozenset({"wait"}),
        "wait.minutes": frozenset({"n"}),
        "wait.hours": frozenset({"n"}),
        "wait.unknown": frozenset(),
        "follow_up.button": frozenset(),
        "follow_up.chosen": frozenset({"window"}),
        "queue.position": frozenset({"n"}),
        "follow_up.email_button": frozenset(),
        "follow_up.email_chosen": frozenset({"window"}),
        "follow_up.email_missing": frozenset(),
        "email.subject": frozenset({"reference"}),
        "email.body": frozenset({"reference", "window"}),
        "joined": frozenset({"agent"}),
        "closing": frozenset(),
    }
)
TEMPLATE_KEYS: tuple[str, ...] = tuple(PLACEHOLDERS)

_UNIT_PLACEHOLDERS = frozenset({"n"})

_Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
_Text = Annotated[str, StringConstraints(min_length=1)]


class CatalogueError(ValueError):
    """The message catalogue is unreadable or incomplete; the message names the file and entry."""


class _Units(BaseModel):
    """A duration around ``{n}``: one hour, n hours, one minute, n minutes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hour: _Text
    hours: _Text
    minute: _Text
    minutes: _Text


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    languages: tuple[_Language, ...] = Field(min_length=1)
    units: dict[_Language, _Units]
    messages: dict[str, dict[_Language, _Text]]


@dataclass(frozen=True, slots=True)
class Catalogue:
    languages: tuple[str, ...]
    templates: Mapping[str, Mapping[str, str]]  # language -> key -> template
    units: Mapping[str, tuple[str, str, str, str]]  # language -> (hour, hours, minute, minutes)


@lru_cache(maxsize=4)
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """The catalogue at ``path``, checked complete."""
    try:
        document: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: unreadable: {exc}") from None
    try:
        return parse_catalogue(document)
    except ValueError as exc:
        raise CatalogueError(f"{path}: {exc}") from None


def parse_catalogue(document: Any) -> Catalogue:
    """A loaded YAML ``document`` as a :class:`Catalogue`."""
    try:
        parsed = _Document.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"] if part != "[key]") or "the file"
        raise CatalogueError(f"{where}: {first['msg']}") from None
    languages = parsed.languages
    repeated = sorted({language for language in languages if languages.count(language) > 1})
    if repeated:
        raise CatalogueError(f"languages: {', '.join(repeated)} listed more than once")
    if FALLBACK_LANGUAGE not in languages:
        raise CatalogueError(f"languages: {FALLBACK_LANGUAGE} (the fallback) is missing")
    _expect("units", parsed.units, languages)
    _expect("messages", parsed.messages, TEMPLATE_KEYS)
    for key, wordings in parsed.messages.items():
        _expect(f"messages.{key}", wordings, languages)
        for language, template in wordings.items():
            check_template(template, allowed=PLACEHOLDERS[key], where=f"messages.{key}.{language}")
            _expect_all_used(template, PLACEHOLDERS[key], where=f"messages.{key}.{language}")
    for language, units in parsed.units.items():
        for unit, pattern in units.model_dump().items():
            where = f"units.{language}.{unit}"
            check_template(pattern, allowed=_UNIT_PLACEHOLDERS, where=where)
            _expect_all_used(pattern, _UNIT_PLACEHOLDERS, where=where)
    return Catalogue(
        languages=languages,
        templates={
            language: {key: parsed.messages[key][language] for key in TEMPLATE_KEYS}
            for language in languages
        },
        units={language: _unit_patterns(parsed.units[language]) for language in languages},
    )


def _unit_patterns(units: _Units) -> tuple[str, str, str, str]:
    return (units.hour, units.hours, units.minute, units.minutes)


def check_template(template: str, *, allowed: frozenset[str], where: str) -> None:
    """Raise ValueError unless every placeholder is a plain name of ``allowed``."""
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"{where}: malformed template: {exc}") from None
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in allowed:
            names = ", ".join(f"{{{p}}}" for p in sorted(allowed)) or "none"
            raise ValueError(
                f"{where}: unknown placeholder {{{name}}} (allowed placeholders: {names})"
            )
        if spec or conversion:
            raise ValueError(f"{where}: placeholder {{{name}}} takes no format spec or conversion")


def _expect_all_used(template: str, placeholders: frozenset[str], *, where: str) -> None:
    """Every language says the same things: a checked template uses each of its placeholders."""
    used = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    missing = placeholders - used
    if missing:
        names = ", ".join(f"{{{name}}}" for name in sorted(missing))
        raise CatalogueError(f"{where}: lacks the placeholders {names} every language uses")


def _expect(section: str, found: Mapping[str, object], expected: tuple[str, ...]) -> None:
    missing = [name for name in expected if name not in found]
    unknown = [name for name in found if name not in expected]
    if missing:
        raise CatalogueError(f"{section}: missing {', '.join(missing)}")
    if unknown:
        raise CatalogueError(f"{section}.{unknown[0]}: unknown (expected: {', '.join(expected)})")
