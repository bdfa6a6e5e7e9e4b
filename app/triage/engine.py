"""Triage of one customer message: signals, the knowledge base's answer and its confidence.

``TriageEngine`` is what the conversation flow calls. The offline engine combines the offline
backend's signals with the knowledge index; the OpenAI engine (``openai_backend``) asks the
model for the same fields in one structured call and falls back to the offline engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Protocol

from app.knowledge.answer import Answer, compose_answer
from app.knowledge.index import KnowledgeIndex
from app.triage.signals import IntentNet, Signals, TriageBackend

SUMMARY_LIMIT = 300
_SENTENCE_END = re.compile(r"(?<=[.!?\u3002\uff01\uff1f])\s+")  # also the CJK full stops
_CODE_FENCE = re.compile(r"```.*?```", re.DOTALL)


@dataclass(frozen=True)
class TriageOutcome:
    signals: Signals
    confidence: float  # how well the knowledge base answers the message, in [0, 1]
    answer: Answer | None  # the grounded answer with citations, when there is one
    summary: str  # 2-3 lines for the agent who may take over
    backend: str  # "offline" | "openai"
    fallback_reason: str | None = None  # why the configured backend's result was not used


class TriageEngine(Protocol):
    def triage(self, text: str, *, account_language: str | None = None) -> TriageOutcome: ...


class OfflineTriageEngine:
    """Deterministic triage without network access."""

    name = "offline"

    def __init__(self, *, backend: TriageBackend, index: KnowledgeIndex) -> None:
        self.backend = backend
        self.index = index

    def triage(self, text: str, *, account_language: str | None = None) -> TriageOutcome:
        signals = replace(
            self.backend.analyse(text, account_language=account_language),
            intent_net=IntentNet.OFFLINE_MODEL,
        )
        retrieval = self.index.retrieve(text)
        answer = compose_answer(text, retrieval, min_confidence=0.0) if retrieval.hits else None
        return TriageOutcome(
            signals=signals,
            confidence=retrieval.confidence if answer is not None else 0.0,
            answer=answer,
            summary=extractive_summary(text),
            backend=self.name,
        )


def extractive_summary(text: str, *, limit: int = SUMMARY_LIMIT) -> str:
    """The first sentences of the message (code blocks shown as a marker), at most ``limit``."""
    flat = _CODE_FENCE.sub(" [code block] ", text)
    flat = " ".join(flat.split())
    if not flat:
        return "(no text)"
    sentences = _SENTENCE_END.split(flat)
    summary = ""
    for sentence in sentences[:3]:
        candidate = f"{summary} {sentence}".strip()
        if len(candidate) > limit:
            break
        summary = candidate
    if not summary:
        summary = flat[: limit - 1].rstrip() + "…"
    return summary
