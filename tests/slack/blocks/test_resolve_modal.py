from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from app.escalations.card import RESOLUTION_TAGS
from app.slack.blocks.resolve_modal import (
    RESOLVE_MODAL_CALLBACK,
    parse_bug_flag,
    parse_resolve_submission,
    resolve_errors,
    resolve_modal,
)


def render(escalation_id: int = 42, account_name: str = "Acme Corp") -> dict[str, Any]:
    payload = resolve_modal(escalation_id, account_name=account_name).to_dict()
    assert View(**payload).to_dict() == payload
    for raw in payload["blocks"]:
        parsed = Block.parse(raw)
        assert parsed is not None
        assert parsed.to_dict() == raw
    return payload


def block(payload: dict[str, Any], block_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [b for b in payload["blocks"] if b.get("block_id") == block_id]
    assert len(found) == 1
    return found[0]


def test_modal_ids_and_metadata() -> None:
    payload = render(escalation_id=42)
    assert payload["type"] == "modal"
    assert payload["callback_id"] == RESOLVE_MODAL_CALLBACK == "resolve_escalation_modal"
    assert payload["private_metadata"] == "42"
    assert 0 < len(payload["title"]["text"]) <= 24
    assert payload["submit"]["text"] == "Resolve"
    assert payload["close"]["text"] == "Cancel"


def test_tag_input_is_required_with_every_resolution_tag() -> None:
    tag = block(render(), "tag")
    assert tag["type"] == "input"
    assert not tag.get("optional", False)
    assert tag["element"]["action_id"] == "tag"
    options = {o["value"]: o["text"]["text"] for o in tag["element"]["options"]}
    assert options == RESOLUTION_TAGS


def test_note_input_is_optional_multiline_and_capped() -> None:
    note = block(render(), "note")
    assert note["optional"] is True
    element = note["element"]
    assert element["type"] == "plain_text_input"
    assert element["action_id"] == "note"
    assert element["multiline"] is True
    assert element["max_length"] == 2000


def test_account_name_is_escaped_and_cut() -> None:
    payload = render(account_name="<!channel> & " + "A" * 5000)
    text = str(payload["blocks"])
    assert "<!channel>" not in text
    assert "&lt;!channel&gt; &amp;" in text


def submission(tag: str | None, note: str | None) -> dict[str, Any]:
    return {
        "tag": {
            "tag": {
                "type": "radio_buttons",
                "selected_option": None if tag is None else {"value": tag, "text": {}},
            }
        },
        "note": {"note": {"type": "plain_text_input", "value": note}},
    }


def test_parse_submission_reads_tag_and_note() -> None:
    assert parse_resolve_submission(submission("edge_case", "  Refunded.\n")) == (
        "edge_case",
        "Refunded.",
    )


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"tag": {}, "note": {}},
        {"tag": None, "note": None},
        {"tag": {"tag": {"selected_option": None}}, "note": {"note": {"value": None}}},
        {"tag": {"tag": {"selected_option": {"value": ""}}}},
        {"tag": {"tag": "edge_case"}},
    ],
)
def test_parse_submission_tolerates_missing_parts(values: dict[str, Any]) -> None:
    assert parse_resolve_submission(values) == (None, "")


def test_parse_submission_note_without_tag() -> None:
    assert parse_resolve_submission(submission(None, "just a note")) == (None, "just a note")


@pytest.mark.parametrize("tag", sorted(RESOLUTION_TAGS))
def test_no_errors_for_known_tags(tag: str) -> None:
    assert resolve_errors(tag) == {}


@pytest.mark.parametrize("tag", [None, "", "made_up"])
def test_errors_for_missing_or_unknown_tag(tag: str | None) -> None:
    assert resolve_errors(tag) == {"tag": "Pick why it needed a human"}


def test_the_bug_flag_is_offered_with_a_tracker_and_ticked_for_a_possible_bug() -> None:
    plain = resolve_modal(7, account_name="Acme").to_dict()
    assert "bug" not in [b.get("block_id") for b in plain["blocks"]]
    flagged = resolve_modal(7, account_name="Acme", bug_reports=True, possible_bug=True).to_dict()
    [block] = [b for b in flagged["blocks"] if b.get("block_id") == "bug"]
    assert block["optional"] is True
    assert block["element"]["initial_options"][0]["value"] == "file_bug_report"
    unticked = resolve_modal(7, account_name="Acme", bug_reports=True).to_dict()
    [block] = [b for b in unticked["blocks"] if b.get("block_id") == "bug"]
    assert "initial_options" not in block["element"]
    filed = resolve_modal(7, account_name="Acme", bug_reports=True, bug_reported=True).to_dict()
    assert "bug" not in [b.get("block_id") for b in filed["blocks"]]


def test_the_bug_flag_is_read_from_the_submission() -> None:
    ticked = {"bug": {"bug": {"selected_options": [{"value": "file_bug_report"}]}}}
    assert parse_bug_flag(ticked) is True
    assert parse_bug_flag({"bug": {"bug": {"selected_options": []}}}) is False
    assert parse_bug_flag({}) is False
