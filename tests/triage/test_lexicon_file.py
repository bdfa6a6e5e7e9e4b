"""Lexicon files: fragments filled in, names checked, and a malformed file named with its entry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.triage import cue_lexicons, intent_rule_lexicons
from app.triage.lexicon_file import LexiconFile, LexiconFileError, load_lexicon_file
from app.triage.signals import Cue

GOOD = """\
fragments:
  det: '(?:my|our)'
  account: '{{det}} account'
lexicons:
  cancellation:
    en:
      - 'close {{account}}'
      - 'cancel'
    ja:
      - '解約'
literals:
  markers:
    - '[INST]'
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lexicons.yml"
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path) -> LexiconFile:
    return load_lexicon_file(path, lexicons=("cancellation",), literals=("markers",))


def test_fragments_are_filled_in_and_order_is_kept(tmp_path: Path) -> None:
    loaded = load(write(tmp_path, GOOD))
    assert loaded.lexicons == {
        "cancellation": {"en": ("close (?:my|our) account", "cancel"), "ja": ("解約",)}
    }
    assert list(loaded.lexicons["cancellation"]) == ["en", "ja"]
    assert loaded.literals == {"markers": ("[INST]",)}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "'close {{account}}'",
            "'close {{acount}}'",
            "lexicons.cancellation.en[0]: unknown fragment {{acount}} (known: det, account)",
        ),
        (
            "'cancel'",
            "'cancel(?:ing'",
            "lexicons.cancellation.en[1]: not a valid pattern: missing ), unterminated subpattern",
        ),
        (
            "'{{det}} account'",
            "'{{later}}'\n  later: 'x'",
            "fragments.account: unknown fragment {{later}} (known: det)",
        ),
        (
            "en:\n      - 'close {{account}}'\n      - 'cancel'",
            "en: cancel",
            "lexicons.cancellation.en: Input should be a valid tuple",
        ),
        ("ja:", "japanese:", "lexicons.cancellation.japanese: String should match pattern"),
        ("'cancel'", "42", "lexicons.cancellation.en[1]: Input should be a valid string"),
        ("'cancel'", "''", "lexicons.cancellation.en[1]: String should have at least 1 character"),
        ("cancellation:", "cancelation:", "lexicons: missing cancellation"),
        (
            "'[INST]'",
            "'[INST]'\n  emoji: ['x']",
            "literals.emoji: unknown name (expected: markers)",
        ),
        ("literals:", "literal:", "literal: Extra inputs are not permitted"),
        (GOOD, "- just\n- a list\n", "the file: Input should be a valid dictionary"),
        (GOOD, "lexicons: {cancellation: {en: ['a']}\n", "unreadable"),
    ],
)
def test_a_malformed_file_names_the_file_and_the_entry(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(LexiconFileError, match=rf"^{re.escape(f'{path}: ')}.*{re.escape(message)}"):
        load(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "absent.yml"
    with pytest.raises(LexiconFileError, match=r"absent\.yml: unreadable"):
        load(path)


def test_the_shipped_files_hold_every_lexicon_the_rules_and_cues_use() -> None:
    assert set(cue_lexicons.LEXICONS) == set(cue_lexicons.LEXICON_CUES)
    assert Cue.PROMPT_INJECTION in cue_lexicons.LEXICONS
    assert "🙄" in cue_lexicons.SARCASM_EMOJI
    assert "[INST]" in cue_lexicons.INJECTION_MARKERS
    for lexicon in (intent_rule_lexicons.CANCELLATION, intent_rule_lexicons.DATA_LOSS):
        assert lexicon["en"]
        assert not any("{{" in fragment for fragment in lexicon["en"])
