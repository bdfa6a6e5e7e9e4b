from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from app.slack.blocks.customer_handoff import (
    FOLLOW_UP_LATER_ACTION,
    fit_markup,
    follow_up_chosen_blocks,
    plain_message_blocks,
    transition_blocks,
)

WARM = "Thanks <@U0CUST1>, I'm bringing in someone from our billing team."


def render(blocks: list[Block]) -> list[dict[str, Any]]:
    payload = [b.to_dict() for b in blocks]
    for raw in payload:
        parsed = Block.parse(raw)
        assert parsed is not None
        assert parsed.to_dict() == raw
    return payload


def test_transition_with_wait_text_and_button() -> None:
    payload = render(
        transition_blocks(
            text=WARM,
            wait_text="Usually within 15 minutes.",
            conversation_id=9,
            follow_up_label="Follow up later",
        )
    )
    assert [b["type"] for b in payload] == ["section", "context", "actions"]
    assert payload[0]["text"]["text"] == WARM  # mentions kept, not escaped
    assert payload[1]["elements"][0]["text"] == "Usually within 15 minutes."
    [button] = payload[2]["elements"]
    assert button["action_id"] == FOLLOW_UP_LATER_ACTION == "follow_up_later"
    assert button["value"] == "9"
    assert button["text"]["text"] == "Follow up later"


def test_transition_without_wait_text() -> None:
    payload = render(
        transition_blocks(text=WARM, wait_text=None, conversation_id=9, follow_up_label="Later")
    )
    assert [b["type"] for b in payload] == ["section", "actions"]


def test_transition_without_the_button() -> None:
    payload = render(
        transition_blocks(
            text=WARM,
            wait_text="Within the hour.",
            conversation_id=9,
            follow_up_label="Later",
            offer_follow_up=False,
        )
    )
    assert [b["type"] for b in payload] == ["section", "context"]
    assert FOLLOW_UP_LATER_ACTION not in str(payload)


def test_transition_cuts_long_texts_and_labels() -> None:
    payload = render(
        transition_blocks(
            text="a" * 10_000,
            wait_text="w" * 5000,
            conversation_id=9,
            follow_up_label="L" * 200,
        )
    )
    assert len(payload[0]["text"]["text"]) <= 3000
    assert len(payload[1]["elements"][0]["text"]) <= 2000
    assert len(payload[2]["elements"][0]["text"]["text"]) <= 75


def test_follow_up_chosen_replaces_the_button_with_a_note() -> None:
    payload = render(follow_up_chosen_blocks(text=WARM, note="We'll follow up here by email."))
    assert [b["type"] for b in payload] == ["section", "context"]
    assert payload[0]["text"]["text"] == WARM
    assert payload[1]["elements"][0]["text"] == "We'll follow up here by email."
    assert "actions" not in {b["type"] for b in payload}


def test_plain_message() -> None:
    payload = render(plain_message_blocks("<@U0AGENT1> has joined the conversation."))
    assert [b["type"] for b in payload] == ["section"]
    assert payload[0]["text"]["text"] == "<@U0AGENT1> has joined the conversation."
    assert len(render(plain_message_blocks("x" * 9000))[0]["text"]["text"]) <= 3000


def test_cutting_never_splits_a_mention_or_entity() -> None:
    text = "a" * 2990 + " <@U0AGENT1> and more"
    cut = fit_markup(text, 3000)
    assert len(cut) <= 3000
    assert "<@U0AG" not in cut
    assert cut.endswith("…")
    entity = fit_markup("b" * 2997 + "&amp; rest", 3000)
    assert "&am" not in entity
    assert fit_markup("short <@U1>", 3000) == "short <@U1>"
