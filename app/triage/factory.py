"""Builds the triage engine the settings ask for: OpenAI when a key is set, else offline."""

from __future__ import annotations

import logging

from app.config import Settings
from app.config_file import EscalationConfig
from app.errors import StartupError
from app.knowledge import (
    CalibrationError,
    KnowledgeBaseError,
    KnowledgeIndex,
    load_articles,
    load_calibration,
)
from app.triage.engine import OfflineTriageEngine, TriageEngine

logger = logging.getLogger(__name__)


def build_knowledge_index(config: EscalationConfig) -> KnowledgeIndex:
    """Load and index the configured knowledge base; broken articles are logged and skipped."""
    path = config.knowledge_base.path
    try:
        loaded = load_articles(path)
    except KnowledgeBaseError as exc:
        raise StartupError(f"knowledge_base.path: {exc}") from None
    for problem in loaded.problems:
        logger.warning("knowledge base: skipped %s", problem)
    if not loaded.articles:
        raise StartupError(f"knowledge_base.path: no usable articles in {path}")
    try:
        calibration = load_calibration(config.knowledge_base.calibration)
    except CalibrationError as exc:
        raise StartupError(f"knowledge_base.calibration: {exc}") from None
    logger.info("knowledge base: %d articles indexed from %s", len(loaded.articles), path)
    return KnowledgeIndex.build(loaded.articles, calibration=calibration)


def build_offline_engine(
    config: EscalationConfig, index: KnowledgeIndex, *, warm_up: bool = True
) -> OfflineTriageEngine:
    """The offline engine; ``warm_up`` loads its models now (else on the first message)."""
    from app.triage.offline import OfflineTriageBackend

    backend = OfflineTriageBackend(taxonomy=config.taxonomy)
    if warm_up:
        backend.warm_up()
    return OfflineTriageEngine(backend=backend, index=index)


def build_triage_engine(
    settings: Settings,
    config: EscalationConfig,
    *,
    offline_only: bool = False,
    warm_up: bool = True,
) -> TriageEngine:
    index = build_knowledge_index(config)
    offline = build_offline_engine(config, index, warm_up=warm_up)
    if offline_only or settings.openai_api_key is None:
        return offline
    from app.triage.openai_backend import OpenAITriageEngine

    return OpenAITriageEngine(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        model=settings.openai_model,
        timeout_seconds=settings.openai_timeout_seconds,
        max_retries=settings.openai_max_retries,
        index=index,
        fallback=offline,
        taxonomy=config.taxonomy,
        must_escalate=config.policy.intent.always_escalate,
    )
