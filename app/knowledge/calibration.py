"""Answer confidence calibrated on labelled questions: P(the top article answers the question).

A retrieval is described by a few features (``RetrievalFeatures``): how much of the question the
top article covers, in its body and in its title and tags, how strongly and how clearly it
ranks first, and how much of the question the knowledge base has never heard of. A logistic
model over them (``AnswerCalibration``) turns them into a probability. The model is fitted on
labelled questions (``kb_questions.jsonl``: a question and the article that answers it, or
``null`` when none does) with ``fit_calibration`` and stored as JSON; the shipped file is fitted
on the sample knowledge base, and ``escalation-bot calibrate`` refits it on a team's own
articles and questions. ``reliability`` measures how well the probabilities match the facts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.jsonl import JsonLinesError, json_objects

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_CALIBRATION_PATH = DATA_DIR / "calibration.json"
TRAINING_QUESTIONS_PATH = DATA_DIR / "kb_questions.jsonl"
#: Written apart from the training questions; never fitted on.
HELDOUT_QUESTIONS_PATH = DATA_DIR / "kb_questions_heldout.jsonl"

FEATURE_NAMES = (
    "coverage",
    "title_coverage",
    "log_score",
    "margin",
    "unknown_share",
)
#: Inverse regularisation strength of the logistic fit (scikit-learn's ``C``).
REGULARISATION = 1.0
RELIABILITY_BINS = 5


class CalibrationError(ValueError):
    """A calibration or questions file that cannot be used; the message names the file."""


@dataclass(frozen=True, slots=True)
class RetrievalFeatures:
    """What one retrieval says about its top article, each in a fixed range."""

    coverage: float  # rarity-weighted share of the question's terms in the top article, [0, 1]
    title_coverage: float  # the same share counting only the title and tags, [0, 1]
    top_score: float  # bm25 relevance of the top article, >= 0
    runner_up_score: float  # bm25 relevance of the second article, 0 when there is none
    unknown_share: float  # share of the question's terms in no article at all, [0, 1]

    def vector(self) -> tuple[float, ...]:
        top = max(0.0, self.top_score)
        runner_up = min(max(0.0, self.runner_up_score), top)
        margin = (top - runner_up) / top if top > 0 else 0.0
        return (
            _unit(self.coverage),
            _unit(self.title_coverage),
            math.log1p(top),
            margin,
            _unit(self.unknown_share),
        )


@dataclass(frozen=True, slots=True)
class AnswerCalibration:
    """A logistic model: ``sigmoid(intercept + coefficients · features)``."""

    coefficients: tuple[float, ...]
    intercept: float
    fitted_on: str = ""
    rows: int = 0

    def probability(self, features: RetrievalFeatures) -> float:
        if features.top_score <= 0.0 or features.coverage <= 0.0:
            return 0.0
        z = self.intercept + sum(
            c * x for c, x in zip(self.coefficients, features.vector(), strict=True)
        )
        return round(1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z)))), 6)

    def to_json(self) -> str:
        return json.dumps(
            {
                "features": list(FEATURE_NAMES),
                "coefficients": [round(c, 6) for c in self.coefficients],
                "intercept": round(self.intercept, 6),
                "fitted_on": self.fitted_on,
                "rows": self.rows,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str, *, source: str = "calibration") -> AnswerCalibration:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CalibrationError(f"{source}: not JSON ({exc.msg}, line {exc.lineno})") from None
        if not isinstance(data, dict) or data.get("features") != list(FEATURE_NAMES):
            raise CalibrationError(
                f"{source}: expected the features {', '.join(FEATURE_NAMES)}; "
                "refit it with `escalation-bot calibrate`"
            )
        coefficients: Any = data.get("coefficients")
        intercept: Any = data.get("intercept")
        if (
            not isinstance(coefficients, list)
            or len(coefficients) != len(FEATURE_NAMES)
            or not all(_is_number(c) for c in coefficients)
            or not _is_number(intercept)
        ):
            raise CalibrationError(f"{source}: coefficients and intercept must be numbers")
        return cls(
            coefficients=tuple(float(c) for c in coefficients),
            intercept=float(intercept),
            fitted_on=str(data.get("fitted_on", "")),
            rows=int(data.get("rows", 0)),
        )


def load_calibration(path: Path | None = None) -> AnswerCalibration:
    """The model in ``path`` (default: the one fitted on the sample knowledge base)."""
    path = path or SHIPPED_CALIBRATION_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CalibrationError(f"{path}: {exc.strerror or exc}") from None
    return AnswerCalibration.from_json(text, source=str(path))


@dataclass(frozen=True, slots=True)
class LabelledQuestion:
    """A question and the slug of the article that answers it (None: no article does)."""

    text: str
    article: str | None
    language: str | None = None


def load_questions(path: Path) -> tuple[LabelledQuestion, ...]:
    """Rows of a JSONL file of ``{"text", "article", "language"}``."""
    rows: list[LabelledQuestion] = []
    try:
        records = list(json_objects(path))
    except JsonLinesError as exc:
        raise CalibrationError(str(exc)) from None
    for number, record in records:
        if not isinstance(record.get("text"), str) or not isinstance(
            record.get("article"), str | None
        ):
            raise CalibrationError(
                f"{path}:{number}: expected an object with a 'text' string and an 'article' "
                "slug or null"
            )
        rows.append(LabelledQuestion(record["text"], record["article"], record.get("language")))
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class Observation:
    """One question run through retrieval: its features and whether the top article is right."""

    features: RetrievalFeatures
    top_article: str | None
    correct: bool


def observe(
    questions: Iterable[LabelledQuestion],
    retrieve: Callable[[str], tuple[RetrievalFeatures, str | None]],
) -> list[Observation]:
    """``retrieve`` maps a text to its features and the slug of its top article."""
    observations = []
    for question in questions:
        features, top = retrieve(question.text)
        correct = question.article is not None and top == question.article
        observations.append(Observation(features, top, correct))
    return observations


def fit_calibration(observations: Sequence[Observation], *, fitted_on: str) -> AnswerCalibration:
    """A logistic model of ``correct`` over the features (L2-regularised, scikit-learn)."""
    labels = [int(o.correct) for o in observations if o.features.top_score > 0]
    vectors = [list(o.features.vector()) for o in observations if o.features.top_score > 0]
    if len(set(labels)) < 2:
        raise CalibrationError(
            "calibration needs questions the top article answers and questions it does not"
        )
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=REGULARISATION, max_iter=1000)
    model.fit(vectors, labels)
    return AnswerCalibration(
        coefficients=tuple(float(c) for c in model.coef_[0]),
        intercept=float(model.intercept_[0]),
        fitted_on=fitted_on,
        rows=len(observations),
    )


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_confidence: float
    accuracy: float


@dataclass(frozen=True, slots=True)
class Reliability:
    """How well confidences match outcomes: per bin, and the expected calibration error."""

    bins: tuple[ReliabilityBin, ...]
    expected_calibration_error: float
    brier_score: float


def reliability(
    pairs: Sequence[tuple[float, bool]], *, bins: int = RELIABILITY_BINS
) -> Reliability:
    """``pairs`` are (confidence, the top article was right). Equal-width bins over [0, 1]."""
    grouped: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for confidence, correct in pairs:
        grouped[min(bins - 1, int(confidence * bins))].append((confidence, correct))
    table = []
    gap = 0.0
    for number, members in enumerate(grouped):
        if not members:
            table.append(ReliabilityBin(number / bins, (number + 1) / bins, 0, 0.0, 0.0))
            continue
        mean = sum(c for c, _ in members) / len(members)
        accuracy = sum(1 for _, ok in members if ok) / len(members)
        gap += len(members) * abs(mean - accuracy)
        table.append(
            ReliabilityBin(number / bins, (number + 1) / bins, len(members), mean, accuracy)
        )
    total = len(pairs)
    brier = sum((c - float(ok)) ** 2 for c, ok in pairs) / total if total else 0.0
    return Reliability(tuple(table), gap / total if total else 0.0, brier)


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
