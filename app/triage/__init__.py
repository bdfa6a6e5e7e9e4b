"""Triage: the signals of one customer message (intent, sentiment, language, cues).

``OfflineTriageBackend`` computes them deterministically without network access; code
that consumes signals depends only on the ``TriageBackend`` protocol and ``Signals``.
The backend (and its model libraries) is imported on first access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.intents import (
    ALWAYS_ESCALATE_INTENTS,
    DEFAULT_INTENTS,
    DEFAULT_SKILL_MAP,
    DEFAULT_TAXONOMY,
    INTENT_IDS,
    IntentSpec,
    Taxonomy,
)
from app.triage.signals import (
    STRONG_NEGATIVE,
    Cue,
    IntentSource,
    SentimentLabel,
    Signals,
    TriageBackend,
)

if TYPE_CHECKING:
    from app.triage.offline import OfflineTriageBackend

__all__ = [
    "ALWAYS_ESCALATE_INTENTS",
    "DEFAULT_INTENTS",
    "DEFAULT_SKILL_MAP",
    "DEFAULT_TAXONOMY",
    "INTENT_IDS",
    "STRONG_NEGATIVE",
    "Cue",
    "IntentSource",
    "IntentSpec",
    "OfflineTriageBackend",
    "SentimentLabel",
    "Signals",
    "Taxonomy",
    "TriageBackend",
]


def __getattr__(name: str) -> Any:
    if name == "OfflineTriageBackend":
        from app.triage.offline import OfflineTriageBackend

        return OfflineTriageBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
