"""The offline safety net: the always-escalate rules run on every message when the OpenAI
backend is on, so a model that misses a security report (or answers benign) cannot drop it.

The OpenAI engine talks to the local stand-in with the real ``openai`` client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from app.config_file import PolicyConfig
from app.intents import ALWAYS_ESCALATE_INTENTS
from app.knowledge import KnowledgeIndex
from app.policy.matrix import caught_by, decide
from app.triage.engine import OfflineTriageEngine, TriageOutcome
from app.triage.intent_rules import must_escalate_match
from app.triage.openai_backend import OpenAITriageEngine
from app.triage.safety_net import MAX_NET_CHARS, SafetyNet
from app.triage.signals import IntentNet, IntentSource
from app.triage.text import MAX_PROSE_CHARS
from standins.openai_api import OpenAIStandin
from tests.triage.openai_engines import make_engine, offline_engine, sample_index

SECURITY_REPORT = "Heads up: our admin account was hacked last night and the 2FA was turned off."

CAUGHT = [
    (SECURITY_REPORT, "security"),
    ("Someone changed the email on my account and it wasn't me", "security"),
    ("can you send the SOC 2 report for our vendor review", "security"),
    ("We need a signed DPA before the renewal", "legal"),
    ("we filed a chargeback with our bank for the march invoice", "billing_dispute"),
    ("we won't be renewing next year, please turn off auto-renew", "cancellation"),
    ("Can I talk to a real person please", "human_request"),
    ("our data is gone after the sync", "data_loss"),
    ("Die Projekte sind alle verschwunden", "data_loss"),
]
BENIGN = [
    "How do I export a board to CSV?",
    "how do I delete old data",
    "I lost my password",
    "Thanks, that worked!",
    "the calendar shows deadlines a day early",
]


@pytest.fixture(scope="module")
def index() -> KnowledgeIndex:
    return sample_index()


@pytest.fixture(scope="module")
def offline(index: KnowledgeIndex) -> OfflineTriageEngine:
    return offline_engine(index)


@pytest.fixture
def standin() -> Iterator[OpenAIStandin]:
    with OpenAIStandin(hang_seconds=5.0) as running:
        yield running


@pytest.fixture
def engine(
    standin: OpenAIStandin, index: KnowledgeIndex, offline: OfflineTriageEngine
) -> Iterator[OpenAITriageEngine]:
    built = make_engine(standin, index, offline)
    yield built
    built.close()


def benign_reply(**fields: Any) -> dict[str, Any]:
    """What a model that missed the point answers: a routine intent, calm, grounded."""
    payload: dict[str, Any] = {
        "intent": "how_to",
        "sentiment": 0.2,
        "language": "en",
        "summary": "The customer asks about two-factor settings.",
        "answer": {"text": "Here is how.", "citations": [], "grounding": 0.0},
    }
    payload.update(fields)
    return payload


def decision_of(outcome: TriageOutcome) -> Any:
    return decide(
        signals=outcome.signals,
        confidence=0.95,  # a confident answer: only the intent can send it to a person
        tier="free",
        policy=PolicyConfig(),
    )


# -- the net on its own ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "intent"), CAUGHT)
def test_the_net_catches_every_always_escalate_intent(text: str, intent: str) -> None:
    match = SafetyNet.of(ALWAYS_ESCALATE_INTENTS).catch(text)
    assert match is not None and match.intent == intent


@pytest.mark.parametrize("text", BENIGN)
def test_the_net_leaves_routine_messages_alone(text: str) -> None:
    assert SafetyNet.of(ALWAYS_ESCALATE_INTENTS).catch(text) is None


def test_the_net_catches_only_the_intents_it_is_given() -> None:
    assert SafetyNet.of({"legal"}).catch(SECURITY_REPORT) is None
    assert SafetyNet.of(()).catch(SECURITY_REPORT) is None


def test_a_rule_of_an_intent_outside_the_net_does_not_hide_a_later_one() -> None:
    text = "We need the GDPR addendum, and also: our account was hacked"
    match = must_escalate_match(text, {"security"})
    assert match is not None and match.intent == "security"


def test_the_net_corrects_typos_as_the_offline_backend_does() -> None:
    match = SafetyNet.of(ALWAYS_ESCALATE_INTENTS).catch("I want a reimbvursement for March")
    assert match is not None and match.intent == "billing_dispute"


def test_the_net_reads_past_what_the_offline_backend_analyses() -> None:
    filler = "We use boards for planning and the timeline for releases. " * 120
    assert len(filler) > 4 * MAX_PROSE_CHARS
    match = SafetyNet.of(ALWAYS_ESCALATE_INTENTS).catch(f"{filler}PS: we were hacked yesterday.")
    assert match is not None and match.intent == "security"
    beyond = "x " * MAX_NET_CHARS
    assert SafetyNet.of(ALWAYS_ESCALATE_INTENTS).catch(f"{beyond}we were hacked") is None


# -- with the OpenAI engine ---------------------------------------------------------------


def test_a_security_report_the_model_calls_benign_is_caught(
    engine: OpenAITriageEngine, standin: OpenAIStandin
) -> None:
    standin.respond_with(benign_reply())

    outcome = engine.triage(SECURITY_REPORT)

    assert outcome.backend == "openai" and outcome.fallback_reason is None
    signals = outcome.signals
    assert signals.intent == "security"
    assert signals.intent_source is IntentSource.RULE
    assert signals.intent_net is IntentNet.SAFETY_NET
    assert signals.intent_evidence == "hacked"
    assert "openai: intent how_to, sentiment +0.20, language en" in signals.reasons
    assert "offline safety net: security rule matched 'hacked'" in signals.reasons

    decision = decision_of(outcome)
    assert decision.escalate and decision.fired_types == ["intent"]
    reason = "offline safety net: security rule matched 'hacked'"
    assert decision.reasons() == [reason]
    [recorded] = [t for t in json.loads(json.dumps(decision.as_record())) if t["fired"]]
    assert recorded["type"] == "intent" and recorded["value"] == "security"
    assert recorded["reason"] == reason
    assert caught_by(reason=reason, intent="security") == "offline safety net (security rule)"


@pytest.mark.parametrize(("text", "intent"), CAUGHT)
def test_every_always_escalate_intent_survives_a_benign_model(
    engine: OpenAITriageEngine, standin: OpenAIStandin, text: str, intent: str
) -> None:
    standin.respond_with(benign_reply(intent="feedback", sentiment=0.8))

    outcome = engine.triage(text)

    assert outcome.signals.intent == intent
    assert outcome.signals.intent_net is IntentNet.SAFETY_NET
    decision = decision_of(outcome)
    assert decision.escalate
    assert decision.reasons()[0].startswith(f"offline safety net: {intent} rule matched '")


def test_a_model_that_escalates_is_credited(
    engine: OpenAITriageEngine, standin: OpenAIStandin
) -> None:
    standin.respond_with(benign_reply(intent="security", sentiment=-0.3))

    outcome = engine.triage(SECURITY_REPORT)

    assert outcome.signals.intent == "security"
    assert outcome.signals.intent_net is IntentNet.OPENAI_MODEL
    assert "offline safety net: security rule matched 'hacked'" in outcome.signals.reasons
    [reason] = decision_of(outcome).reasons()
    assert reason == "intent security always goes to a human (caught by the OpenAI model)"
    assert caught_by(reason=reason, intent="security") == "OpenAI model"


def test_the_model_picks_among_always_escalate_intents(
    engine: OpenAITriageEngine, standin: OpenAIStandin
) -> None:
    """Both go to a person; the model's reading of which one decides the skill."""
    standin.respond_with(benign_reply(intent="legal"))

    outcome = engine.triage("Our lawyers say the breach of contract means a refund is owed")

    assert outcome.signals.intent == "legal"
    assert outcome.signals.intent_net is IntentNet.OPENAI_MODEL


@pytest.mark.parametrize("text", BENIGN)
def test_routine_messages_keep_the_model_intent(
    engine: OpenAITriageEngine, standin: OpenAIStandin, text: str
) -> None:
    standin.respond_with(benign_reply())

    outcome = engine.triage(text)

    assert outcome.signals.intent == "how_to"
    assert outcome.signals.intent_net is IntentNet.OPENAI_MODEL
    assert not any(r.startswith("offline safety net") for r in outcome.signals.reasons)
    assert not decision_of(outcome).escalate


def test_the_net_follows_the_policy_list(
    standin: OpenAIStandin, index: KnowledgeIndex, offline: OfflineTriageEngine
) -> None:
    """An intent the policy answers is not forced to a person; one it adds is."""
    engine = make_engine(standin, index, offline, must_escalate=["legal", "outage"])
    standin.respond_with(benign_reply())
    try:
        security = engine.triage(SECURITY_REPORT)
        outage = engine.triage("is the app down? nobody can load anything")
    finally:
        engine.close()
    assert security.signals.intent == "how_to"
    assert outage.signals.intent == "outage"
    assert outage.signals.intent_net is IntentNet.SAFETY_NET


@pytest.mark.parametrize(
    ("mode", "reason"), [("hang", "openai: timeout"), ("error_500", "openai: HTTP 500")]
)
def test_when_the_model_fails_the_offline_result_still_escalates(
    standin: OpenAIStandin,
    index: KnowledgeIndex,
    offline: OfflineTriageEngine,
    mode: str,
    reason: str,
) -> None:
    standin.mode = mode  # type: ignore[assignment]
    engine = make_engine(standin, index, offline, timeout_seconds=0.5)
    try:
        outcome = engine.triage(SECURITY_REPORT)
    finally:
        engine.close()

    assert outcome.backend == "offline" and outcome.fallback_reason == reason
    assert outcome.signals.intent == "security"
    assert outcome.signals.intent_net is IntentNet.OFFLINE_MODEL
    decision = decision_of(outcome)
    assert decision.escalate
    [line] = decision.reasons()
    assert line == "intent security always goes to a human (caught by the offline model)"
    assert caught_by(reason=line, intent="security") == "offline model"


def test_the_offline_engine_names_its_net(offline: OfflineTriageEngine) -> None:
    assert offline.triage("our data is gone").signals.intent_net is IntentNet.OFFLINE_MODEL
