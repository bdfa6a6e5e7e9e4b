"""A small statistical intent classifier trained at start-up on the shipped examples.

TF-IDF over word uni/bi-grams and character 2-5-grams (robust to typos and to languages
without spaces) feeding a class-balanced logistic regression. Training takes about a
second on the few hundred examples in ``data/intent_examples.yml``.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

DATA_DIR = Path(__file__).resolve().parent / "data"
EXAMPLES_PATH = DATA_DIR / "intent_examples.yml"
#: Inverse regularisation strength of the logistic regression.
REGULARISATION_C = 20.0
#: saga with a fixed seed is deterministic and needs a fraction of lbfgs's training memory.
SOLVER = "saga"
MAX_ITERATIONS = 5000
MAX_MODEL_CHARS = 1000
#: Words of one character count too ("a", "I", single CJK characters are char-n-grams anyway).
WORD_PATTERN = r"(?u)\b\w+\b"


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str
    language: str


@dataclass(frozen=True, slots=True)
class IntentPrediction:
    intent: str
    confidence: float


def load_examples(path: Path = EXAMPLES_PATH) -> tuple[Example, ...]:
    """Training utterances from a YAML file of ``intents: {intent: {language: [text]}}``."""
    document: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    intents = document.get("intents") if isinstance(document, dict) else None
    if not isinstance(intents, dict):
        raise ValueError(f"{path}: expected a mapping under 'intents'")
    examples: list[Example] = []
    for intent, by_language in intents.items():
        if not isinstance(by_language, dict):
            raise ValueError(f"{path}: intent {intent!r} must map languages to lists")
        for language, texts in by_language.items():
            for text in texts or ():
                examples.append(Example(str(text), str(intent), str(language)))
    return tuple(examples)


def _vectorizers() -> list[tuple[str, TfidfVectorizer]]:
    common: dict[str, Any] = {"sublinear_tf": True, "strip_accents": "unicode"}
    words = TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), token_pattern=WORD_PATTERN, **common
    )
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), **common)
    return [("words", words), ("chars", chars)]


def _model() -> LogisticRegression:
    return LogisticRegression(
        C=REGULARISATION_C,
        solver=SOLVER,
        max_iter=MAX_ITERATIONS,
        class_weight="balanced",
        random_state=0,
    )


@dataclass(frozen=True, slots=True)
class _FeatureBlock:
    """One fitted vectorizer reduced to what scoring needs."""

    analyzer: Callable[[str], list[str]]
    vocabulary: Mapping[str, int]
    idf: npt.NDArray[np.float64]
    offset: int


class IntentClassifier:
    """Predicts one of the intents seen in training, with a probability.

    Training uses scikit-learn; scoring a message multiplies its sparse TF-IDF vector with
    the learned weights directly, which gives the pipeline's probabilities an order of
    magnitude faster than a pipeline call.
    """

    def __init__(self, examples: Iterable[Example]) -> None:
        examples = tuple(examples)
        if len({example.intent for example in examples}) < 2:
            raise ValueError("the intent classifier needs examples of at least two intents")
        vectorizers = _vectorizers()
        self.pipeline = Pipeline([("features", FeatureUnion(vectorizers)), ("model", _model())])
        self.pipeline.fit(
            [example.text for example in examples], [example.intent for example in examples]
        )
        model: LogisticRegression = self.pipeline.named_steps["model"]
        self.intents: tuple[str, ...] = tuple(str(label) for label in model.classes_)
        self._weights: npt.NDArray[np.float64] = np.ascontiguousarray(model.coef_.T)
        self._intercept: npt.NDArray[np.float64] = np.asarray(model.intercept_, dtype=float)
        blocks: list[_FeatureBlock] = []
        offset = 0
        for _, vectorizer in vectorizers:
            vocabulary = {str(term): int(index) for term, index in vectorizer.vocabulary_.items()}
            analyzer: Callable[[str], list[str]] = vectorizer.build_analyzer()
            blocks.append(_FeatureBlock(analyzer, vocabulary, vectorizer.idf_, offset))
            offset += len(vocabulary)
        self._blocks = tuple(blocks)

    def predict(self, text: str) -> IntentPrediction:
        return self.ranked(text)[0]

    def ranked(self, text: str) -> tuple[IntentPrediction, ...]:
        """Every known intent with its probability, most likely first."""
        probabilities = self.probabilities(text)
        order = sorted(range(len(probabilities)), key=lambda index: -probabilities[index])
        return tuple(
            IntentPrediction(self.intents[index], round(probabilities[index], 4)) for index in order
        )

    def probabilities(self, text: str) -> list[float]:
        """Probability of each intent, in :attr:`intents` order."""
        scores = self._intercept.copy()
        for block in self._blocks:
            counts = Counter(
                term for term in block.analyzer(text[:MAX_MODEL_CHARS]) if term in block.vocabulary
            )
            if not counts:
                continue
            columns = np.fromiter((block.vocabulary[term] for term in counts), dtype=np.intp)
            tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64))
            values = tf * block.idf[columns]
            values /= np.linalg.norm(values)
            scores += values @ self._weights[columns + block.offset]
        if len(scores) == 1:  # two intents: scikit-learn fits one binary model
            positive = 1.0 / (1.0 + math.exp(-float(scores[0])))
            return [1.0 - positive, positive]
        scores -= scores.max()
        exp = np.exp(scores)
        return [float(value) for value in exp / exp.sum()]


_lock = threading.Lock()
_default: IntentClassifier | None = None


def default_classifier() -> IntentClassifier:
    """The classifier trained on the shipped examples, trained once per process."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = IntentClassifier(load_examples())
    return _default
