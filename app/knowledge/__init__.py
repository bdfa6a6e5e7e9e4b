"""The knowledge base: articles, a full-text index with a confidence, and extractive answers."""

from pathlib import Path

from app.knowledge.answer import (
    DEFAULT_MIN_CONFIDENCE,
    MAX_EXCERPT_CHARS,
    Answer,
    Citation,
    compose_answer,
)
from app.knowledge.articles import (
    Article,
    ArticleError,
    KnowledgeBaseError,
    LoadResult,
    load_articles,
    parse_article,
)
from app.knowledge.calibration import (
    AnswerCalibration,
    CalibrationError,
    RetrievalFeatures,
    load_calibration,
)
from app.knowledge.index import Hit, KnowledgeIndex, Retrieval

SAMPLE_KB_PATH = Path(__file__).resolve().parent / "sample_kb"
"""The sample knowledge base of the fictional product Northwind Boards."""

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "MAX_EXCERPT_CHARS",
    "SAMPLE_KB_PATH",
    "Answer",
    "AnswerCalibration",
    "Article",
    "ArticleError",
    "CalibrationError",
    "Citation",
    "Hit",
    "KnowledgeBaseError",
    "KnowledgeIndex",
    "LoadResult",
    "Retrieval",
    "RetrievalFeatures",
    "compose_answer",
    "load_articles",
    "load_calibration",
    "parse_article",
]
