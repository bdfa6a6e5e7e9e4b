"""With OPENAI_API_KEY set, triage asks the model (a local OpenAI-compatible server here); when the
model hangs, fails or refuses, the customer still gets a reply from the offline engine."""

from __future__ import annotations

import pytest

from standins.local_slack import LocalSlack
from standins.openai_api import OpenAIStandin
from tests.slack.test_triage_flow import ask, decisions, is_handoff


def test_model_triage_is_used_and_recorded(
    slack_with_model: LocalSlack, model: OpenAIStandin
) -> None:
    _ts, reply = ask(slack_with_model, "C0INITECH", "How do I export a board to CSV?")
    [decision] = decisions(slack_with_model)
    assert decision.backend == "openai" and decision.fallback_reason is None
    assert len(model.requests) == 1
    assert "<customer_message>" in model.last_text("user")
    assert is_handoff(reply) is decision.escalate


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("hang", "openai: timeout"),
        ("error_500", "openai: HTTP 500"),
        ("invalid_json", "openai: invalid output"),
        ("refusal", "openai: refusal"),
    ],
)
def test_customer_gets_a_reply_when_the_model_fails(
    slack_with_model: LocalSlack, model: OpenAIStandin, mode: str, reason: str
) -> None:
    model.mode = mode
    _ts, reply = ask(slack_with_model, "C0INITECH", "How do I export a board to CSV?")
    assert "Exporting your data" in reply["text"]  # the offline engine's answer
    [decision] = decisions(slack_with_model)
    assert decision.backend == "offline"
    assert decision.fallback_reason == reason
