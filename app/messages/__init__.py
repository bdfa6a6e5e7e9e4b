"""What the customer reads when a conversation goes to a person, in their own language.

Built-in wording for :data:`SUPPORTED_LANGUAGES`, from ``catalogue.yml``; any other language
reads English. The config file's ``messages`` section overrides templates per language and key; a
language without a built-in wording may be given its own templates there (missing keys still fall
back to English). Templates are ``str.format`` strings whose placeholders are listed in
:data:`PLACEHOLDERS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from app.messages.catalogue import (
    FALLBACK_LANGUAGE,
    PLACEHOLDERS,
    TEMPLATE_KEYS,
    check_template,
    load_catalogue,
)

__all__ = [
    "DEFAULT_TEMPLATES",
    "FALLBACK_LANGUAGE",
    "PLACEHOLDERS",
    "SUPPORTED_LANGUAGES",
    "TEMPLATE_KEYS",
    "Overrides",
    "format_window",
    "render",
    "transition_text",
    "validate_overrides",
]

Overrides = Mapping[str, Mapping[str, str]]

_CATALOGUE = load_catalogue()

#: Languages with built-in wording.
SUPPORTED_LANGUAGES: tuple[str, ...] = _CATALOGUE.languages
#: The built-in templates, read-only: language -> key -> template.
DEFAULT_TEMPLATES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        language: MappingProxyType(dict(templates))
        for language, templates in _CATALOGUE.templates.items()
    }
)


def render(key: str, *, language: str, overrides: Overrides | None = None, **values: str) -> str:
    """The template ``key`` in ``language`` with ``values`` filled in (one per placeholder)."""
    allowed = _placeholders(key)
    if values.keys() != allowed:
        raise TypeError(f"template {key!r} takes {sorted(allowed)} as values, got {sorted(values)}")
    language, template = _template(key, _primary(language), overrides or {})
    _check(template, language, key)
    return template.format_map(values)


def transition_text(
    skill: str, *, language: str, customer: str, overrides: Overrides | None = None
) -> str:
    """What the customer reads when the conversation goes to ``skill`` (general if unknown)."""
    key = f"transition.{skill}"
    if key not in PLACEHOLDERS:
        key = "transition.general"
    return render(key, language=language, overrides=overrides, customer=customer)


def format_window(minutes: int, *, language: str) -> str:
    """A duration such as ``2 hours`` or ``90 minutes``: whole hours when it divides evenly."""
    if minutes < 1:
        raise ValueError(f"a window is at least one minute, got {minutes}")
    one_hour, hours, one_minute, many_minutes = _CATALOGUE.units.get(
        _primary(language), _CATALOGUE.units[FALLBACK_LANGUAGE]
    )
    if minutes % 60 == 0:
        n = minutes // 60
        return (one_hour if n == 1 else hours).format(n=n)
    return (one_minute if minutes == 1 else many_minutes).format(n=minutes)


def validate_overrides(messages: Overrides) -> None:
    """Reject unknown keys and unknown or malformed placeholders, naming language and key."""
    for language, templates in messages.items():
        for key, template in templates.items():
            if key not in PLACEHOLDERS:
                raise ValueError(
                    f"messages.{language}.{key}: unknown template key "
                    f"(keys are: {', '.join(TEMPLATE_KEYS)})"
                )
            _check(template, language, key)


def _placeholders(key: str) -> frozenset[str]:
    try:
        return PLACEHOLDERS[key]
    except KeyError:
        raise KeyError(f"unknown template key {key!r}") from None


def _template(key: str, language: str, overrides: Overrides) -> tuple[str, str]:
    """(language, template): the language's override or default, else English's."""
    for lang in (language, FALLBACK_LANGUAGE):
        for source in (overrides, DEFAULT_TEMPLATES):
            template = source.get(lang, {}).get(key)
            if template is not None:
                return lang, template
    raise AssertionError(f"no English default for {key!r}")  # pragma: no cover


def _check(template: str, language: str, key: str) -> None:
    """Raise ValueError unless every placeholder is a plain, allowed name."""
    check_template(template, allowed=PLACEHOLDERS[key], where=f"messages.{language}.{key}")


def _primary(language: str) -> str:
    """``pt-BR`` -> ``pt``."""
    return language.strip().lower().replace("_", "-").split("-")[0]
