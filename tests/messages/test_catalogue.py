"""The message catalogue file: complete in every language, the same placeholders in each, and a
malformed file named with its entry."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.messages import DEFAULT_TEMPLATES, SUPPORTED_LANGUAGES, format_window
from app.messages.catalogue import (
    CATALOGUE_PATH,
    PLACEHOLDERS,
    TEMPLATE_KEYS,
    CatalogueError,
    load_catalogue,
)


def shipped() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    return document


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_message_has_every_language_with_the_placeholders_of_its_key() -> None:
    document = shipped()
    assert tuple(document["messages"]) == TEMPLATE_KEYS
    for key, wordings in document["messages"].items():
        assert tuple(wordings) == tuple(document["languages"]), key
        for language, template in wordings.items():
            assert placeholders(template) == PLACEHOLDERS[key], (key, language)


def test_the_file_is_what_the_messages_use() -> None:
    document = shipped()
    assert tuple(document["languages"]) == SUPPORTED_LANGUAGES
    for language in SUPPORTED_LANGUAGES:
        for key in TEMPLATE_KEYS:
            assert DEFAULT_TEMPLATES[language][key] == document["messages"][key][language]
        units = document["units"][language]
        assert format_window(60, language=language) == units["hour"].format(n=1)
        assert format_window(45, language=language) == units["minutes"].format(n=45)


def write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "catalogue.yml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def without(document: dict[str, Any], *where: str) -> dict[str, Any]:
    *parents, last = where
    node = document
    for part in parents:
        node = node[part]
    del node[last]
    return document


def replaced(document: dict[str, Any], value: object, *where: str) -> dict[str, Any]:
    *parents, last = where
    node = document
    for part in parents:
        node = node[part]
    node[last] = value
    return document


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: without(d, "messages", "joined", "fr"), "messages.joined: missing fr"),
        (lambda d: without(d, "messages", "closing"), "messages: missing closing"),
        (
            lambda d: replaced(d, "Attente estimée.", "messages", "wait", "fr"),
            "messages.wait.fr: lacks the placeholders {wait} every language uses",
        ),
        (
            lambda d: replaced(d, "{agent} et {customer}", "messages", "joined", "de"),
            "messages.joined.de: unknown placeholder {customer} (allowed placeholders: {agent})",
        ),
        (
            lambda d: replaced(d, "Merci {customer", "messages", "transition.trust", "fr"),
            "messages.transition.trust.fr: malformed template",
        ),
        (
            lambda d: replaced(d, "x", "messages", "wait", "it"),
            "messages.wait.it: unknown (expected: en, es, de, fr, pt, ja)",
        ),
        (
            lambda d: replaced(d, "x", "messages", "greeting"),
            "messages.greeting: Input should be a valid dictionary",
        ),
        (lambda d: without(d, "units", "pt"), "units: missing pt"),
        (
            lambda d: replaced(d, "Minuten", "units", "de", "minutes"),
            "units.de.minutes: lacks the placeholders {n} every language uses",
        ),
        (
            lambda d: replaced(d, ["es", "de"], "languages"),
            "languages: en (the fallback) is missing",
        ),
        (
            lambda d: replaced(d, [*d["languages"], "de"], "languages"),
            "languages: de listed more than once",
        ),
        (lambda d: replaced(d, "", "messages", "closing", "es"), "messages.closing.es: String"),
        (lambda d: replaced(d, 3, "messages", "closing", "es"), "messages.closing.es: Input"),
    ],
)
def test_an_incomplete_catalogue_names_the_file_and_the_entry(
    tmp_path: Path, change: Any, message: str
) -> None:
    path = write(tmp_path, change(shipped()))
    with pytest.raises(CatalogueError, match=rf"^{re.escape(f'{path}: ')}.*{re.escape(message)}"):
        load_catalogue(path)


def test_an_unreadable_catalogue_is_named(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yml"
    path.write_text("messages: {joined: [\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"catalogue\.yml: unreadable"):
        load_catalogue(path)


def test_a_catalogue_may_add_a_language_with_every_message(tmp_path: Path) -> None:
    document = shipped()
    document["languages"].append("it")
    document["units"]["it"] = {
        "hour": "{n} ora",
        "hours": "{n} ore",
        "minute": "{n} minuto",
        "minutes": "{n} minuti",
    }
    for wordings in document["messages"].values():
        wordings["it"] = wordings["en"]
    catalogue = load_catalogue(write(tmp_path, document))
    assert catalogue.languages[-1] == "it"
    assert catalogue.units["it"] == ("{n} ora", "{n} ore", "{n} minuto", "{n} minuti")
