"""The trigger matrix: each trigger alone, together, tier rules, and the audit record."""

from __future__ import annotations

import pytest

from app.config_file import PolicyConfig, TierRuleConfig
from app.policy.matrix import TRIGGER_TYPES, RepeatContext, decide
from app.triage.signals import Cue, Signals, sentiment_label

POLICY = PolicyConfig()


def signals(
    intent: str = "how_to",
    sentiment: float = 0.0,
    frustration: bool = False,
    cues: tuple[Cue, ...] = (),
) -> Signals:
    return Signals(
        intent=intent,
        intent_confidence=0.9,
        sentiment=sentiment,
        sentiment_label=sentiment_label(sentiment),
        language="en",
        frustration=frustration,
        cues=cues,
    )


def test_calm_answerable_question_does_not_escalate() -> None:
    decision = decide(signals=signals(), confidence=0.8, tier="pro", policy=POLICY)
    assert not decision.escalate
    assert decision.fired_types == []
    assert [t.type for t in decision.triggers] == list(TRIGGER_TYPES)  # all evaluated, kept


@pytest.mark.parametrize(
    "intent", ["billing_dispute", "cancellation", "legal", "security", "human_request"]
)
def test_always_escalate_intents(intent: str) -> None:
    decision = decide(signals=signals(intent), confidence=0.95, tier="free", policy=POLICY)
    assert decision.escalate
    assert decision.fired_types == ["intent"]
    [trigger] = decision.fired
    assert trigger.value == intent and trigger.threshold == "always_escalate"


def test_sentiment_trigger_at_the_threshold() -> None:
    at = decide(signals=signals(sentiment=-0.5), confidence=0.9, tier="pro", policy=POLICY)
    above = decide(signals=signals(sentiment=-0.49), confidence=0.9, tier="pro", policy=POLICY)
    assert at.fired_types == ["sentiment"]
    assert at.fired[0].value == -0.5 and at.fired[0].threshold == -0.5
    assert not above.escalate


def test_frustration_cues_fire_the_sentiment_trigger() -> None:
    frustrated = signals(sentiment=0.1, frustration=True, cues=(Cue.REPEAT_CONTACT,))
    decision = decide(signals=frustrated, confidence=0.9, tier="pro", policy=POLICY)
    assert decision.fired_types == ["sentiment"]
    assert "repeat_contact" in decision.fired[0].reason
    relaxed = PolicyConfig.model_validate({"sentiment": {"frustration_escalates": False}})
    assert not decide(signals=frustrated, confidence=0.9, tier="pro", policy=relaxed).escalate


def test_confidence_trigger() -> None:
    decision = decide(signals=signals(), confidence=0.2, tier="pro", policy=POLICY)
    assert decision.fired_types == ["confidence"]
    assert decision.fired[0].value == 0.2 and decision.fired[0].threshold == 0.5


def test_enterprise_escalates_at_a_lower_bar() -> None:
    mild = signals(sentiment=-0.3)
    assert not decide(signals=mild, confidence=0.9, tier="pro", policy=POLICY).escalate
    enterprise = decide(signals=mild, confidence=0.9, tier="enterprise", policy=POLICY)
    assert enterprise.fired_types == ["account"]
    assert "enterprise bar" in enterprise.fired[0].reason
    unsure = decide(signals=signals(), confidence=0.6, tier="enterprise", policy=POLICY)
    assert unsure.fired_types == ["account"]
    assert not decide(signals=signals(), confidence=0.6, tier="free", policy=POLICY).escalate


def test_tier_that_always_escalates() -> None:
    policy = PolicyConfig(account={"enterprise": TierRuleConfig(always_escalate=True)})
    decision = decide(signals=signals(), confidence=1.0, tier="enterprise", policy=policy)
    assert decision.fired_types == ["account"]


def test_repeat_trigger() -> None:
    asked_again = decide(
        signals=signals(),
        confidence=0.9,
        tier="pro",
        policy=POLICY,
        repeat=RepeatContext(after_bot_answer=True),
    )
    assert asked_again.fired_types == ["repeat"]
    not_helped = decide(
        signals=signals(),
        confidence=0.9,
        tier="pro",
        policy=POLICY,
        repeat=RepeatContext(after_bot_answer=True, said_not_helped=True),
    )
    assert not_helped.fired[0].reason == "the customer said the answer did not help"
    off = PolicyConfig.model_validate({"repeat": {"enabled": False}})
    assert not decide(
        signals=signals(),
        confidence=0.9,
        tier="pro",
        policy=off,
        repeat=RepeatContext(after_bot_answer=True),
    ).escalate


def test_triggers_together_are_all_recorded() -> None:
    decision = decide(
        signals=signals("cancellation", sentiment=-0.8, frustration=True),
        confidence=0.1,
        tier="enterprise",
        policy=POLICY,
        repeat=RepeatContext(after_bot_answer=True, said_not_helped=True),
    )
    assert decision.fired_types == ["intent", "sentiment", "confidence", "repeat"]
    record = decision.as_record()
    assert {r["type"] for r in record} == set(TRIGGER_TYPES)
    assert all({"fired", "value", "threshold", "reason"} <= set(r) for r in record)
    assert len(decision.reasons()) == 4


def test_sentiment_across_the_thread_escalates_a_mildly_negative_message() -> None:
    history = RepeatContext(earlier_asks=2, earlier_sentiments=(-0.7, -0.6))
    decision = decide(
        signals=signals(sentiment=-0.3), confidence=0.9, tier="pro", policy=POLICY, repeat=history
    )
    assert decision.escalate and "sentiment" in decision.fired_types
    assert "sentiment across the thread -0.53 at or below -0.50" in decision.reasons()
    calm_thread = RepeatContext(earlier_asks=1, earlier_sentiments=(0.2,))
    decision = decide(
        signals=signals(sentiment=-0.3),
        confidence=0.9,
        tier="pro",
        policy=POLICY,
        repeat=calm_thread,
    )
    assert not decision.escalate


def test_the_third_request_of_a_conversation_goes_to_a_person() -> None:
    second = decide(
        signals=signals(),
        confidence=0.9,
        tier="pro",
        policy=POLICY,
        repeat=RepeatContext(earlier_asks=1, earlier_sentiments=(0.0,)),
    )
    assert not second.escalate
    third = decide(
        signals=signals(),
        confidence=0.9,
        tier="pro",
        policy=POLICY,
        repeat=RepeatContext(earlier_asks=2, earlier_sentiments=(0.0, 0.0)),
    )
    assert third.fired_types == ["repeat"]
    assert third.reasons() == ["request 3 of this conversation (a person from 3)"]


def test_an_answer_given_before_without_solving_anything_goes_to_a_person() -> None:
    decision = decide(
        signals=signals(),
        confidence=0.9,
        tier="pro",
        policy=POLICY,
        repeat=RepeatContext(same_answer_days_ago=2),
    )
    assert decision.fired_types == ["repeat"]
    assert decision.reasons() == [
        "the customer was given this answer 2 days ago and it solved nothing"
    ]
    off = PolicyConfig.model_validate({"repeat": {"enabled": False}})
    quiet = decide(
        signals=signals(),
        confidence=0.9,
        tier="pro",
        policy=off,
        repeat=RepeatContext(same_answer_days_ago=2),
    )
    assert not quiet.escalate
