from __future__ import annotations

from pathlib import Path

import pytest

from app.triage.chatter_evaluation import (
    CHATTER_HELDOUT_PATH,
    ChatterRow,
    evaluate_chatter,
    load_chatter,
    render_chatter_report,
)


def test_counts_recognised_escalated_and_ignored() -> None:
    rows = [
        ChatterRow("thanks!", True),
        ChatterRow("much obliged, legend", True),  # missed: triage decides
        ChatterRow("ta muchly", True),  # missed too
        ChatterRow("hi, how do I add a seat?", False),
        ChatterRow("ok", False),  # a request taken for chatter
    ]
    asked: list[str] = []

    def escalates(text: str) -> bool:
        asked.append(text)
        return text.startswith("much")

    report = evaluate_chatter(rows, escalates=escalates)
    assert asked == ["much obliged, legend", "ta muchly"]  # only missed chatter is triaged
    assert (report.chatter_total, report.chatter_recognised, report.chatter_escalated) == (3, 1, 1)
    assert (report.request_total, report.requests_ignored) == (2, 1)
    assert report.chatter_escalation_rate == pytest.approx(1 / 3)
    assert report.request_ignored_rate == pytest.approx(0.5)
    text = render_chatter_report("mine", report)
    assert "chatter escalated                       33.3% (1/3)" in text
    assert "requests taken for chatter              50.0% (1/2)" in text


def test_shipped_held_out_set_loads() -> None:
    rows = load_chatter(CHATTER_HELDOUT_PATH)
    assert sum(r.chatter for r in rows) >= 50 and sum(not r.chatter for r in rows) >= 20
    assert len({r.language for r in rows}) >= 6


def test_bad_rows_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "chatter.jsonl"
    path.write_text('{"text": "thanks", "chatter": true}\n{"text": "ok", "chatter": "yes"}\n')
    with pytest.raises(ValueError, match=r"chatter.jsonl:2: expected"):
        load_chatter(path)
