from __future__ import annotations

from pathlib import Path

import pytest

from app.jsonl import JsonLinesError, json_objects


def test_objects_with_their_line_numbers_skipping_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"a": 1}\n\n  \n{"b": "é"}\n', encoding="utf-8")
    assert list(json_objects(path)) == [(1, {"a": 1}), (4, {"b": "é"})]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"a": 1}\n{"a": \n', r"rows.jsonl:2: not JSON"),
        ('{"a": 1}\n[1]\n', r"rows.jsonl:2: expected"),
    ],
)
def test_bad_lines_name_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text(content)
    with pytest.raises(JsonLinesError, match=message):
        list(json_objects(path))


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(JsonLinesError, match=r"absent\.jsonl"):
        list(json_objects(tmp_path / "absent.jsonl"))
