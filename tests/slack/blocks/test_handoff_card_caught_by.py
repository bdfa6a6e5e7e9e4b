"""The card says which net caught an always-escalate intent, right under its triggers; the net
is read from the stored intent trigger's reason when the card is built."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from app.escalations.card import HandoffCard, TriggerLine
from app.policy.matrix import caught_by
from app.slack.blocks.handoff_card import handoff_card_blocks


def make_card(*triggers: TriggerLine, caught_by: str | None = None) -> HandoffCard:
    return HandoffCard(
        escalation_id=7,
        account_name="Initech",
        tier="free",
        summary="Admin account hacked, 2FA turned off.",
        intent="security",
        skill="trust",
        sentiment=0.2,
        confidence=0.9,
        language="en",
        triggers=triggers,
        caught_by=caught_by,
    )


def render(card: HandoffCard) -> list[dict[str, Any]]:
    payload = [block.to_dict() for block in handoff_card_blocks(card)]
    for raw in payload:
        parsed = Block.parse(raw)
        assert parsed is not None and parsed.to_dict() == raw
    return payload


def caught_lines(payload: list[dict[str, Any]]) -> list[str]:
    return [
        element["text"]
        for block in payload
        if block["type"] == "context"
        for element in block["elements"]
        if element["text"].startswith("Caught by:")
    ]


def intent_line(reason: str, intent: str = "security") -> TriggerLine:
    return TriggerLine("intent", intent, "always_escalate", reason)


@pytest.mark.parametrize(
    ("reason", "shown"),
    [
        (
            "offline safety net: security rule matched 'hacked'",
            "Caught by: offline safety net (security rule)",
        ),
        (
            "intent security always goes to a human (caught by the OpenAI model)",
            "Caught by: OpenAI model",
        ),
        (
            "intent security always goes to a human (caught by the offline model)",
            "Caught by: offline model",
        ),
    ],
)
def test_the_card_names_the_net(reason: str, shown: str) -> None:
    net = caught_by(reason=reason, intent="security")
    payload = render(make_card(intent_line(reason), caught_by=net))
    assert caught_lines(payload) == [shown]
    kinds = [block["type"] for block in payload]
    triggers_at = next(i for i, b in enumerate(payload) if "Why it escalated" in json.dumps(b))
    assert kinds[triggers_at + 1] == "context"  # right under the triggers
    assert reason in json.dumps(payload)  # the trigger's reason is shown too


def test_no_line_without_an_intent_trigger_or_a_named_net() -> None:
    sentiment = TriggerLine("sentiment", "-0.80", "-0.50", "sentiment -0.80 at or below -0.50")
    assert caught_lines(render(make_card(sentiment))) == []
    plain = intent_line("intent security always goes to a human")
    net = caught_by(reason=plain.reason, intent="security")
    assert caught_lines(render(make_card(sentiment, plain, caught_by=net))) == []
    assert caught_lines(render(dataclasses.replace(make_card(), triggers=()))) == []


def test_a_hostile_intent_value_is_escaped() -> None:
    line = intent_line("offline safety net: x rule matched 'y'", intent="<!channel> & co")
    net = caught_by(reason=line.reason, intent=line.value)
    [shown] = caught_lines(render(make_card(line, caught_by=net)))
    assert "<!channel>" not in shown and "&lt;!channel&gt; &amp; co" in shown
