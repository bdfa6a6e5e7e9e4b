"""With the OpenAI backend on, a security report the model calls routine still reaches a person:
the offline safety net catches it, the decision records it, the card names the net. When the
model times out or fails, the offline result escalates as before and the card says so.

Signed Slack requests to the real app; the model is the local OpenAI-compatible stand-in."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import Session, select

from app.db.models import Escalation
from standins.local_slack import LocalSlack
from standins.openai_api import OpenAIStandin
from tests.slack.test_triage_flow import ask, decisions, is_handoff

INITECH = "C0INITECH"
SECURITY_REPORT = "Heads up, I think our admin account was hacked: 2FA got turned off overnight."
DATA_LOSS_REPORT = "All our projects are gone!! records disappeared after the sync this morning"


def benign(**fields: Any) -> dict[str, Any]:
    """A model that missed the point: routine intent, calm, an answer it thinks is grounded."""
    payload: dict[str, Any] = {
        "intent": "how_to",
        "sentiment": 0.3,
        "language": "en",
        "summary": "The customer asks how two-factor authentication works.",
        "answer": {"text": "Here is how.", "citations": [], "grounding": 0.0},
    }
    payload.update(fields)
    return payload


def the_card(slack: LocalSlack) -> dict[str, Any]:
    """The handoff card, in whichever channel the escalation was routed to."""
    assert slack.runtime is not None
    engine = slack.runtime.engine

    def posted() -> Escalation | None:
        with Session(engine) as session:
            found = session.exec(select(Escalation)).first()
            return found if found is not None and found.card_ts else None

    escalation = slack.standin.wait_for(posted)
    assert escalation is not None and escalation.routed_channel is not None
    [card] = [
        m
        for m in slack.standin.messages_in(escalation.routed_channel)
        if m.get("bot_id") and m["ts"] == escalation.card_ts
    ]
    return card


def context_texts(card: dict[str, Any]) -> list[str]:
    return [
        element["text"]
        for block in card["blocks"]
        if block["type"] == "context"
        for element in block["elements"]
    ]


def test_a_security_report_the_model_calls_routine_is_caught_by_the_safety_net(
    slack_with_model: LocalSlack, model: OpenAIStandin
) -> None:
    model.respond_with(benign())

    _ts, reply = ask(slack_with_model, INITECH, SECURITY_REPORT)

    assert is_handoff(reply)
    [decision] = decisions(slack_with_model)
    assert decision.backend == "openai" and decision.fallback_reason is None
    assert len(model.requests) == 1
    assert decision.escalate and decision.intent == "security"
    assert "intent" in decision.fired_triggers.split(",")
    triggers = {t["type"]: t for t in json.loads(decision.triggers)}
    assert triggers["intent"]["fired"] and triggers["intent"]["value"] == "security"
    assert triggers["intent"]["reason"] == "offline safety net: security rule matched 'hacked'"

    card = the_card(slack_with_model)
    assert "Caught by: offline safety net (security rule)" in context_texts(card)
    assert "offline safety net: security rule matched 'hacked'" in json.dumps(card["blocks"])


def test_data_loss_the_model_calls_routine_goes_to_the_technical_skill(
    slack_with_model: LocalSlack, model: OpenAIStandin
) -> None:
    model.respond_with(benign(intent="bug_report", summary="Projects missing after a sync."))

    _ts, reply = ask(slack_with_model, INITECH, DATA_LOSS_REPORT)

    assert is_handoff(reply)
    [decision] = decisions(slack_with_model)
    assert decision.escalate and decision.intent == "data_loss"
    triggers = {t["type"]: t for t in json.loads(decision.triggers)}
    assert triggers["intent"]["reason"].startswith("offline safety net: data_loss rule matched")
    card = the_card(slack_with_model)
    assert "Caught by: offline safety net (data_loss rule)" in context_texts(card)
    [escalation] = _escalations(slack_with_model)
    assert escalation.skill == "technical"


def test_a_model_that_escalates_is_named_on_the_card(
    slack_with_model: LocalSlack, model: OpenAIStandin
) -> None:
    model.respond_with(benign(intent="security", sentiment=-0.4))

    ask(slack_with_model, INITECH, SECURITY_REPORT)

    [decision] = decisions(slack_with_model)
    assert decision.escalate and decision.intent == "security"
    assert "Caught by: OpenAI model" in context_texts(the_card(slack_with_model))


@pytest.mark.parametrize(
    ("mode", "reason"), [("hang", "openai: timeout"), ("error_500", "openai: HTTP 500")]
)
def test_when_the_model_fails_the_offline_result_still_escalates(
    slack_with_model: LocalSlack, model: OpenAIStandin, mode: str, reason: str
) -> None:
    model.mode = mode  # type: ignore[assignment]

    _ts, reply = ask(slack_with_model, INITECH, SECURITY_REPORT)

    assert is_handoff(reply)
    [decision] = decisions(slack_with_model)
    assert decision.backend == "offline" and decision.fallback_reason == reason
    assert decision.escalate and decision.intent == "security"
    triggers = {t["type"]: t for t in json.loads(decision.triggers)}
    assert triggers["intent"]["fired"]
    assert "Caught by: offline model" in context_texts(the_card(slack_with_model))


def _escalations(slack: LocalSlack) -> list[Escalation]:
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        return list(session.exec(select(Escalation)))
