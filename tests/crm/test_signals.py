from __future__ import annotations

import pytest

from app.crm.signals import EXCERPT_LIMIT, SignalKind, detect_signals, excerpt
from app.triage.offline import OfflineTriageBackend

BACKEND = OfflineTriageBackend()


def _detect(
    text: str, *, tier: str = "pro", escalate: bool = False, fired: tuple[str, ...] = ()
) -> dict[SignalKind, tuple[str, ...]]:
    found = detect_signals(
        signals=BACKEND.analyse(text), text=text, tier=tier, escalate=escalate, fired=fired
    )
    assert len({s.kind for s in found}) == len(found)  # at most one signal of each kind
    return {signal.kind: signal.rules for signal in found}


def test_cancellation_intent_is_churn() -> None:
    assert _detect("Please cancel our subscription at the end of the month") == {
        SignalKind.CHURN: ("churn.cancellation_intent",)
    }


def test_talk_of_leaving_is_churn() -> None:
    found = _detect("We are evaluating alternatives and will move to a competitor")
    assert found == {SignalKind.CHURN: ("churn.cancellation_intent",)}


def test_strongly_negative_sentiment_counts_on_enterprise_accounts_only() -> None:
    text = "This is the worst product ever, it is completely useless and broken, I hate it!!"
    assert _detect(text, tier="enterprise") == {SignalKind.CHURN: ("churn.negative_enterprise",)}
    assert _detect(text, tier="pro") == {}


def test_a_repeat_escalation_is_churn() -> None:
    text = "How do I export my data to CSV?"
    assert _detect(text, escalate=True, fired=("repeat",)) == {
        SignalKind.CHURN: ("churn.repeat_escalation",)
    }
    assert _detect(text, escalate=False, fired=()) == {}
    assert _detect(text, escalate=True, fired=("confidence",)) == {}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("How do I add 10 more seats to our workspace?", "expansion.seats"),
        ("We need additional licenses for the new team", "expansion.seats"),
        ("Can you increase our user limit?", "expansion.seats"),
        ("We want to upgrade to the enterprise plan, what does it cost?", "expansion.plan_upgrade"),
        ("Thinking of moving to the business plan next quarter", "expansion.plan_upgrade"),
        ("Do you offer SAML SSO on our plan?", "expansion.higher_tier_feature"),
        ("Is there an audit log for admins?", "expansion.higher_tier_feature"),
    ],
)
def test_expansion_questions(text: str, rule: str) -> None:
    found = _detect(text)
    assert SignalKind.CHURN not in found
    assert rule in found[SignalKind.EXPANSION]


@pytest.mark.parametrize(
    "text",
    [
        "How do I reset my password?",
        "We do not need more seats, thanks",
        "The export button is broken again",
        "Where do I download last month's invoice?",
    ],
)
def test_ordinary_questions_are_no_signal(text: str) -> None:
    assert _detect(text) == {}


def test_a_cancellation_is_not_an_expansion_even_when_it_mentions_plans() -> None:
    found = _detect("Cancel our subscription, we won't upgrade to the enterprise plan")
    assert list(found) == [SignalKind.CHURN]


def test_evidence_names_the_rule_and_the_excerpt_is_redacted() -> None:
    text = "Cancel our account now. Reach me at jane.doe@customer.com or +1 415-555-0142."
    [signal] = detect_signals(
        signals=BACKEND.analyse(text), text=text, tier="enterprise", escalate=True, fired=()
    )
    assert signal.evidence[0].rule == "churn.cancellation_intent"
    assert signal.evidence[0].detail == "the customer asks to cancel"
    assert signal.excerpt == "Cancel our account now. Reach me at [email] or [phone]."


def test_excerpts_are_one_line_and_short() -> None:
    long = "word " * 200 + "\n\nend"
    cut = excerpt(long)
    assert len(cut) == EXCERPT_LIMIT and cut.endswith("…") and "\n" not in cut
