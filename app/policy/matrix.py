"""Decides whether a customer message goes to a human, and records why.

Five trigger types, each evaluated and kept (fired or not) so the decision can be audited:

- ``intent``: the intent is one that always escalates (billing disputes, cancellations, ...);
  its reason names the net that caught it: the OpenAI model, the offline model, or the
  offline safety net when the OpenAI model missed it (:func:`caught_by` reads it back);
- ``sentiment``: sentiment at or below the threshold, or frustration cues;
- ``confidence``: the knowledge base's answer confidence below the threshold;
- ``account``: the tier always escalates, or the tier's stricter bar was crossed where the
  default bar was not (the escalation is owed to the account, e.g. enterprise);
- ``repeat``: the customer asked again after a bot answer, or said it did not help; the
  conversation reached its third request; or the knowledge base would give the customer the
  article they were given a few days ago without it solving anything.

Sentiment is read across the thread too: the mean of the customer's triaged messages.

Conservative by default: any fired trigger escalates.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from app.config_file import PolicyConfig
from app.triage.signals import IntentNet, Signals

TRIGGER_TYPES = ("intent", "sentiment", "confidence", "account", "repeat")
#: The reason of an intent trigger the offline safety net fired (the OpenAI model missed it).
SAFETY_NET_PREFIX = f"{IntentNet.SAFETY_NET.label}: "
#: A safety-net phrase is quoted in the reason up to this many characters.
EVIDENCE_LIMIT = 80
_CAUGHT_BY = re.compile(r" \(caught by the (?P<net>[^()]+)\)$")


@dataclass(frozen=True)
class Trigger:
    """One trigger's evaluation: its value against its threshold, and whether it fired."""

    type: str
    fired: bool
    value: float | str | bool | None
    threshold: float | str | bool | None
    reason: str


@dataclass(frozen=True)
class RepeatContext:
    """What the conversation's history says about this message."""

    after_bot_answer: bool = False  # the customer wrote again in the thread after an answer
    said_not_helped: bool = False  # "I still need help" or "that didn't work"
    earlier_asks: int = 0  # the customer's requests already triaged in this conversation
    earlier_sentiments: tuple[float, ...] = ()  # their sentiment scores
    same_answer_days_ago: int | None = None  # given this answer then, and it solved nothing

    def thread_sentiment(self, current: float) -> float | None:
        """The mean sentiment of the customer's requests in the thread, this one included."""
        if not self.earlier_sentiments:
            return None
        scores = (*self.earlier_sentiments, current)
        return sum(scores) / len(scores)


@dataclass(frozen=True)
class Decision:
    escalate: bool
    triggers: tuple[Trigger, ...]  # every trigger evaluated, in TRIGGER_TYPES order

    @property
    def fired(self) -> tuple[Trigger, ...]:
        return tuple(t for t in self.triggers if t.fired)

    @property
    def fired_types(self) -> list[str]:
        return [t.type for t in self.fired]

    def reasons(self) -> list[str]:
        return [t.reason for t in self.fired]

    def as_record(self) -> list[dict[str, Any]]:
        return [asdict(t) for t in self.triggers]


def decide(
    *,
    signals: Signals,
    confidence: float,
    tier: str,
    policy: PolicyConfig,
    repeat: RepeatContext | None = None,
) -> Decision:
    """Evaluate every trigger for one message."""
    rule = policy.account.get(tier)  # type: ignore[call-overload]
    sentiment_bar = policy.sentiment.threshold
    confidence_bar = policy.confidence.threshold
    tier_sentiment_bar = (
        max(sentiment_bar, rule.sentiment_threshold)
        if rule and rule.sentiment_threshold is not None
        else sentiment_bar
    )
    tier_confidence_bar = (
        max(confidence_bar, rule.confidence_threshold)
        if rule and rule.confidence_threshold is not None
        else confidence_bar
    )

    intent = signals.intent in policy.intent.always_escalate
    intent_trigger = Trigger(
        "intent",
        intent,
        signals.intent,
        "always_escalate",
        _intent_reason(signals) if intent else f"intent {signals.intent} may be answered",
    )

    repeat = repeat or RepeatContext()
    upset = signals.sentiment <= sentiment_bar
    frustrated = signals.frustration and policy.sentiment.frustration_escalates
    thread = repeat.thread_sentiment(signals.sentiment)
    upset_thread = thread is not None and thread <= sentiment_bar
    sentiment_reason = (
        f"sentiment {signals.sentiment:+.2f} at or below {sentiment_bar:+.2f}"
        if upset
        else "frustration cues: " + ", ".join(signals.cues)
        if frustrated
        else f"sentiment across the thread {thread:+.2f} at or below {sentiment_bar:+.2f}"
        if upset_thread and thread is not None
        else f"sentiment {signals.sentiment:+.2f} above {sentiment_bar:+.2f}"
    )
    sentiment_trigger = Trigger(
        "sentiment",
        upset or frustrated or upset_thread,
        signals.sentiment,
        sentiment_bar,
        sentiment_reason,
    )

    unsure = confidence < confidence_bar
    confidence_trigger = Trigger(
        "confidence",
        unsure,
        confidence,
        confidence_bar,
        f"answer confidence {confidence:.2f} below {confidence_bar:.2f}"
        if unsure
        else f"answer confidence {confidence:.2f} at or above {confidence_bar:.2f}",
    )

    account_trigger = _account_trigger(
        tier=tier,
        always=bool(rule and rule.always_escalate),
        sentiment=signals.sentiment,
        confidence=confidence,
        sentiment_bars=(sentiment_bar, tier_sentiment_bar),
        confidence_bars=(confidence_bar, tier_confidence_bar),
    )

    repeat_trigger = _repeat_trigger(repeat, policy)

    triggers = (
        intent_trigger,
        sentiment_trigger,
        confidence_trigger,
        account_trigger,
        repeat_trigger,
    )
    return Decision(escalate=any(t.fired for t in triggers), triggers=triggers)


def _repeat_trigger(repeat: RepeatContext, policy: PolicyConfig) -> Trigger:
    asks = repeat.earlier_asks + 1
    many_asks = asks >= policy.repeat.max_asks
    same_answer = repeat.same_answer_days_ago is not None
    reason = (
        "the customer said the answer did not help"
        if repeat.said_not_helped
        else "the customer asked again after a bot answer"
        if repeat.after_bot_answer
        else f"request {asks} of this conversation (a person from {policy.repeat.max_asks})"
        if many_asks
        else f"the customer was given this answer {_days(repeat.same_answer_days_ago)} and it "
        "solved nothing"
        if same_answer
        else "first request in this thread"
        if asks == 1
        else f"request {asks} of this conversation"
    )
    seen = repeat.said_not_helped or repeat.after_bot_answer or many_asks or same_answer
    return Trigger("repeat", policy.repeat.enabled and seen, seen, True, reason)


def _days(days: int | None) -> str:
    return "today" if not days else "yesterday" if days == 1 else f"{days} days ago"


def _intent_reason(signals: Signals) -> str:
    """Why an always-escalate intent goes to a human, naming the net that caught it."""
    net = signals.intent_net
    if net is IntentNet.SAFETY_NET:
        if signals.intent_evidence:
            phrase = signals.intent_evidence
            if len(phrase) > EVIDENCE_LIMIT:
                phrase = phrase[: EVIDENCE_LIMIT - 1].rstrip() + "…"
            return f"{SAFETY_NET_PREFIX}{signals.intent} rule matched '{phrase}'"
        return f"{SAFETY_NET_PREFIX}{signals.intent} kept (the message may steer the model)"
    reason = f"intent {signals.intent} always goes to a human"
    return f"{reason} (caught by the {net.label})" if net is not None else reason


def caught_by(*, reason: str, intent: str) -> str | None:
    """The net that caught an always-escalate intent, read from its fired intent trigger's
    reason: ``offline safety net (security rule)``, ``OpenAI model``, ``offline model``."""
    if reason.startswith(SAFETY_NET_PREFIX):
        rule = " rule" if " rule matched " in reason else ""
        return f"{IntentNet.SAFETY_NET.label} ({intent}{rule})"
    match = _CAUGHT_BY.search(reason)
    return match.group("net") if match else None


def _account_trigger(
    *,
    tier: str,
    always: bool,
    sentiment: float,
    confidence: float,
    sentiment_bars: tuple[float, float],
    confidence_bars: tuple[float, float],
) -> Trigger:
    if always:
        return Trigger(
            "account", True, tier, "always_escalate", f"{tier} accounts always get a human"
        )
    default_s, tier_s = sentiment_bars
    default_c, tier_c = confidence_bars
    if default_s < sentiment <= tier_s:
        return Trigger(
            "account",
            True,
            sentiment,
            tier_s,
            f"{tier} bar: sentiment {sentiment:+.2f} at or below {tier_s:+.2f}",
        )
    if tier_c > confidence >= default_c:
        return Trigger(
            "account",
            True,
            confidence,
            tier_c,
            f"{tier} bar: answer confidence {confidence:.2f} below {tier_c:.2f}",
        )
    return Trigger("account", False, tier, None, f"no {tier} rule applies")
