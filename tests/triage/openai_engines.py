"""The OpenAI triage engine as the triage tests build it: the real ``openai`` client against
the local stand-in, the sample knowledge base, the offline engine as its fallback."""

from __future__ import annotations

from typing import Any

from app.intents import DEFAULT_TAXONOMY
from app.knowledge import SAMPLE_KB_PATH, KnowledgeIndex, load_articles
from app.triage.engine import OfflineTriageEngine
from app.triage.offline import OfflineTriageBackend
from app.triage.openai_backend import OpenAITriageEngine
from standins.openai_api import OpenAIStandin

MODEL = "gpt-standin-mini"


def sample_index() -> KnowledgeIndex:
    return KnowledgeIndex.build(load_articles(SAMPLE_KB_PATH).articles)


def offline_engine(index: KnowledgeIndex) -> OfflineTriageEngine:
    backend = OfflineTriageBackend()
    backend.warm_up()
    return OfflineTriageEngine(backend=backend, index=index)


def make_engine(
    standin: OpenAIStandin,
    index: KnowledgeIndex,
    offline: OfflineTriageEngine,
    **overrides: Any,
) -> OpenAITriageEngine:
    options: dict[str, Any] = {
        "api_key": standin.api_key,
        "model": MODEL,
        "timeout_seconds": 10.0,
        "max_retries": 0,
        "index": index,
        "fallback": offline,
        "taxonomy": DEFAULT_TAXONOMY,
    }
    options.update(overrides)
    if "base_url" not in options:  # a stopped stand-in has none: the test passes its old one
        options["base_url"] = standin.base_url
    return OpenAITriageEngine(**options)
