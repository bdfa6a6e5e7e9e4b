"""The intent trigger names the net that caught an always-escalate intent, and the card reads
it back with ``caught_by``."""

from __future__ import annotations

import json

import pytest

from app.config_file import PolicyConfig
from app.policy.matrix import EVIDENCE_LIMIT, Decision, caught_by, decide
from app.triage.signals import IntentNet, SentimentLabel, Signals


def signals(intent: str, net: IntentNet | None, evidence: str | None = None) -> Signals:
    return Signals(
        intent=intent,
        intent_confidence=0.95,
        sentiment=0.1,
        sentiment_label=SentimentLabel.POSITIVE,
        language="en",
        frustration=False,
        intent_net=net,
        intent_evidence=evidence,
    )


def decision(s: Signals) -> Decision:
    return decide(signals=s, confidence=0.9, tier="free", policy=PolicyConfig())


def intent_reason(d: Decision) -> str:
    [trigger] = [t for t in d.triggers if t.type == "intent"]
    return trigger.reason


def test_the_safety_net_reason_quotes_the_rule_phrase() -> None:
    d = decision(signals("security", IntentNet.SAFETY_NET, "hacked"))
    assert d.escalate and d.fired_types == ["intent"]
    reason = intent_reason(d)
    assert reason == "offline safety net: security rule matched 'hacked'"
    assert d.reasons() == [reason]
    [record] = [t for t in json.loads(json.dumps(d.as_record())) if t["type"] == "intent"]
    assert record == {
        "type": "intent",
        "fired": True,
        "value": "security",
        "threshold": "always_escalate",
        "reason": reason,
    }
    assert caught_by(reason=reason, intent="security") == "offline safety net (security rule)"


def test_a_long_phrase_is_cut() -> None:
    phrase = "x" * (EVIDENCE_LIMIT * 2)
    reason = intent_reason(decision(signals("data_loss", IntentNet.SAFETY_NET, phrase)))
    assert reason.endswith("…'") and len(reason) < EVIDENCE_LIMIT + 60


def test_an_intent_kept_under_suspicion_names_the_net_without_a_phrase() -> None:
    reason = intent_reason(decision(signals("security", IntentNet.SAFETY_NET)))
    assert reason.startswith("offline safety net: security")
    assert caught_by(reason=reason, intent="security") == "offline safety net (security)"


@pytest.mark.parametrize(
    ("net", "label"),
    [(IntentNet.OPENAI_MODEL, "OpenAI model"), (IntentNet.OFFLINE_MODEL, "offline model")],
)
def test_a_model_that_caught_it_is_named(net: IntentNet, label: str) -> None:
    reason = intent_reason(decision(signals("legal", net)))
    assert reason == f"intent legal always goes to a human (caught by the {label})"
    assert caught_by(reason=reason, intent="legal") == label


def test_no_net_no_name() -> None:
    """Signals built outside a triage engine (a repeat decision) keep the plain reason."""
    reason = intent_reason(decision(signals("human_request", None)))
    assert reason == "intent human_request always goes to a human"
    assert caught_by(reason=reason, intent="human_request") is None


def test_an_intent_that_may_be_answered_names_no_net() -> None:
    d = decision(signals("how_to", IntentNet.OPENAI_MODEL))
    assert not d.escalate
    assert intent_reason(d) == "intent how_to may be answered"
    assert caught_by(reason=intent_reason(d), intent="how_to") is None


def test_data_loss_is_always_escalated_by_default() -> None:
    assert "data_loss" in PolicyConfig().intent.always_escalate
    assert decision(signals("data_loss", IntentNet.OFFLINE_MODEL)).escalate
