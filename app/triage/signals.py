"""The signals of one customer message and the protocol every triage backend implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable

#: Sentiment at or below this value counts as strongly negative.
STRONG_NEGATIVE = -0.6


class Cue(StrEnum):
    """Observable facts about a message; values are stable identifiers."""

    EXPLICIT_HUMAN_REQUEST = "explicit_human_request"
    REPEAT_CONTACT = "repeat_contact"
    STILL_BROKEN = "still_broken"
    PROFANITY = "profanity"
    MILD_PROFANITY = "mild_profanity"
    INSULT = "insult"
    ALL_CAPS = "all_caps"
    EXCESSIVE_PUNCTUATION = "excessive_punctuation"
    SARCASM = "sarcasm"
    EXASPERATION = "exasperation"
    THREAT_TO_LEAVE = "threat_to_leave"
    FORMAL_COMPLAINT = "formal_complaint"
    URGENCY = "urgency"
    ERROR_TRACE = "error_trace"
    CODE_BLOCK = "code_block"
    PROMPT_INJECTION = "prompt_injection"


class SentimentLabel(StrEnum):
    VERY_NEGATIVE = "very_negative"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class IntentSource(StrEnum):
    """Where the intent came from."""

    RULE = "rule"
    MODEL = "model"
    FALLBACK = "fallback"


class IntentNet(StrEnum):
    """Which net settled the intent: the backend's own model, or the offline safety net that
    caught an always-escalate intent the OpenAI model missed. Values are stable identifiers."""

    OFFLINE_MODEL = "offline_model"
    OPENAI_MODEL = "openai_model"
    SAFETY_NET = "offline_safety_net"

    @property
    def label(self) -> str:
        """How agents read it, e.g. on the handoff card."""
        return _NET_LABELS[self]


_NET_LABELS = {
    IntentNet.OFFLINE_MODEL: "offline model",
    IntentNet.OPENAI_MODEL: "OpenAI model",
    IntentNet.SAFETY_NET: "offline safety net",
}


def sentiment_label(score: float) -> SentimentLabel:
    """Bucket a sentiment score in [-1, 1]."""
    if score <= STRONG_NEGATIVE:
        return SentimentLabel.VERY_NEGATIVE
    if score <= -0.05:
        return SentimentLabel.NEGATIVE
    if score >= 0.05:
        return SentimentLabel.POSITIVE
    return SentimentLabel.NEUTRAL


@dataclass(frozen=True, slots=True)
class Signals:
    """Everything the triage backend observed about one message.

    ``reasons`` are short human-readable explanations in the order they were found;
    :meth:`explain` joins them for logs and operator views.
    """

    intent: str
    intent_confidence: float
    sentiment: float
    sentiment_label: SentimentLabel
    language: str
    frustration: bool
    cues: tuple[Cue, ...] = ()
    intent_source: IntentSource = IntentSource.MODEL
    language_confidence: float = 0.0
    frustration_score: float = 0.0
    truncated: bool = False
    reasons: tuple[str, ...] = field(default=())
    intent_net: IntentNet | None = None  # None when no triage engine set it
    intent_evidence: str | None = None  # the phrase of the safety-net rule that matched

    @property
    def strongly_negative(self) -> bool:
        return self.sentiment <= STRONG_NEGATIVE

    def has_cue(self, cue: Cue | str) -> bool:
        return cue in self.cues

    def explain(self) -> str:
        head = (
            f"intent={self.intent} ({self.intent_source}, {self.intent_confidence:.2f}); "
            f"sentiment={self.sentiment:+.2f} ({self.sentiment_label}); "
            f"language={self.language}; frustration={'yes' if self.frustration else 'no'}"
        )
        if self.cues:
            head += f"; cues={','.join(self.cues)}"
        return "; ".join((head, *self.reasons))


@runtime_checkable
class TriageBackend(Protocol):
    """Computes :class:`Signals` for one customer message."""

    def analyse(self, text: str, *, account_language: str | None = None) -> Signals: ...
