"""The statistical intent classifier: built ahead of time, shipped, loaded in milliseconds.

TF-IDF over word uni/bi-grams and character 2-5-grams (robust to typos and to languages
without spaces) feeding a class-balanced logistic regression. The shipped model
(``data/intent_model.npz``) is trained by ``python -m app.triage.intent_training`` on the
project's examples, paraphrases and the mapped Bitext sample, with Slack-style variants; it
records a hash of each training file. If it is missing or its files have changed since, the
classifier is trained at start-up on the shipped examples instead (slower, less accurate)
and a warning says so.

The model file holds only arrays and JSON (read with ``allow_pickle=False``). Scoring needs
neither scikit-learn nor scipy: a message's TF-IDF vector is built from the stored
vocabulary and idf and multiplied with the learned weights directly.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
EXAMPLES_PATH = DATA_DIR / "intent_examples.yml"
MODEL_PATH = DATA_DIR / "intent_model.npz"
#: Version of the model file's layout; a file of another version is not loaded.
MODEL_FORMAT = 1
#: Inverse regularisation strength of the logistic regression.
REGULARISATION_C = 20.0
#: saga with a fixed seed is deterministic and needs a fraction of lbfgs's training memory.
SOLVER = "saga"
MAX_ITERATIONS = 5000
MAX_MODEL_CHARS = 1000
#: Words of one character count too ("a", "I", single CJK characters are char-n-grams anyway).
WORD_PATTERN = r"(?u)\b\w+\b"

#: The two feature blocks: (name, analyzer, n-gram range, minimum document frequency).
FeatureSpec = tuple[str, str, tuple[int, int], int]
DEFAULT_FEATURES: tuple[FeatureSpec, ...] = (
    ("words", "word", (1, 2), 1),
    ("chars", "char_wb", (2, 5), 1),
)
_WORD = re.compile(WORD_PATTERN)
_SPACES = re.compile(r"\s\s+")


class ModelFileError(ValueError):
    """The model file is unreadable, of another format or inconsistent."""


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


def _strip_accents(text: str) -> str:
    """Decompose and drop combining marks (scikit-learn's ``strip_accents="unicode"``)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _normalise(text: str) -> str:
    return _strip_accents(text.lower())


def word_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    """Word n-grams as scikit-learn's ``TfidfVectorizer(analyzer="word")`` makes them."""
    tokens = _WORD.findall(_normalise(text))
    low, high = ngram_range
    grams: list[str] = []
    for n in range(low, min(high, len(tokens)) + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def char_wb_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    """Character n-grams inside word boundaries, padded with a space (``char_wb``)."""
    low, high = ngram_range
    grams: list[str] = []
    for word in _SPACES.sub(" ", _normalise(text)).split():
        padded = f" {word} "
        length = len(padded)
        for n in range(low, high + 1):
            if length <= n:  # a word no longer than n counts once, as a whole
                grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(length - n + 1))
    return grams


def _analyzer(kind: str, ngram_range: tuple[int, int]) -> Callable[[str], list[str]]:
    if kind == "word":
        return lambda text: word_ngrams(text, ngram_range)
    if kind == "char_wb":
        return lambda text: char_wb_ngrams(text, ngram_range)
    raise ModelFileError(f"unknown analyzer {kind!r}")


@dataclass(frozen=True, slots=True)
class _FeatureBlock:
    """One vectorizer reduced to what scoring needs."""

    spec: FeatureSpec
    terms: tuple[str, ...]
    idf: npt.NDArray[np.float64]
    offset: int
    vocabulary: Mapping[str, int] = field(repr=False)
    analyzer: Callable[[str], list[str]] = field(repr=False)

    @classmethod
    def build(
        cls, spec: FeatureSpec, terms: Sequence[str], idf: npt.ArrayLike, offset: int
    ) -> _FeatureBlock:
        terms = tuple(terms)
        idf_array = np.asarray(idf, dtype=np.float64)
        if len(terms) != len(idf_array):
            raise ModelFileError(f"block {spec[0]}: {len(terms)} terms but {len(idf_array)} idf")
        vocabulary = dict(zip(terms, range(len(terms)), strict=True))
        return cls(spec, terms, idf_array, offset, vocabulary, _analyzer(spec[1], spec[2]))


class IntentClassifier:
    """Predicts one of the intents seen in training, with a probability.

    Build one with :meth:`train` (scikit-learn, kept as :attr:`pipeline`) or :meth:`load`
    (a file written by :meth:`save`; no scikit-learn needed).
    """

    def __init__(
        self,
        *,
        intents: Sequence[str],
        weights: npt.ArrayLike,
        intercept: npt.ArrayLike,
        blocks: Sequence[_FeatureBlock],
        provenance: Mapping[str, str] | None = None,
        pipeline: Any = None,
    ) -> None:
        self.intents: tuple[str, ...] = tuple(intents)
        self._weights: npt.NDArray[np.floating[Any]] = np.ascontiguousarray(weights)
        self._intercept: npt.NDArray[np.float64] = np.asarray(intercept, dtype=np.float64)
        self._blocks = tuple(blocks)
        #: What the model was trained on: source name -> sha256 (empty when trained here).
        self.provenance: Mapping[str, str] = dict(provenance or {})
        #: The fitted scikit-learn pipeline, for a classifier built by :meth:`train`.
        self.pipeline = pipeline
        features = sum(len(block.terms) for block in self._blocks)
        outputs = 1 if len(self.intents) == 2 else len(self.intents)
        if self._weights.shape != (features, outputs) or self._intercept.shape != (outputs,):
            raise ModelFileError(
                f"weights {self._weights.shape} do not fit {features} features and "
                f"{len(self.intents)} intents"
            )

    @classmethod
    def train(
        cls,
        examples: Iterable[Example],
        *,
        sample_weights: Sequence[float] | None = None,
        regularisation: float = REGULARISATION_C,
        features: Sequence[FeatureSpec] = DEFAULT_FEATURES,
        provenance: Mapping[str, str] | None = None,
    ) -> IntentClassifier:
        """Fit on ``examples``. Without ``sample_weights`` classes are balanced by count;
        with them, the weights are used as given (balance them yourself)."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, Pipeline

        examples = tuple(examples)
        if len({example.intent for example in examples}) < 2:
            raise ValueError("the intent classifier needs examples of at least two intents")
        vectorizers = [
            (
                name,
                TfidfVectorizer(
                    analyzer=kind,
                    ngram_range=ngram_range,
                    min_df=min_df,
                    token_pattern=WORD_PATTERN if kind == "word" else None,
                    sublinear_tf=True,
                    strip_accents="unicode",
                    dtype=np.float64,
                ),
            )
            for name, kind, ngram_range, min_df in features
        ]
        model = LogisticRegression(
            C=regularisation,
            solver=SOLVER,
            max_iter=MAX_ITERATIONS,
            class_weight=None if sample_weights is not None else "balanced",
            random_state=0,
        )
        pipeline = Pipeline([("features", FeatureUnion(vectorizers)), ("model", model)])
        fit_params: dict[str, Any] = {}
        if sample_weights is not None:
            fit_params["model__sample_weight"] = np.asarray(sample_weights, dtype=np.float64)
        pipeline.fit(
            [example.text for example in examples],
            [example.intent for example in examples],
            **fit_params,
        )
        blocks: list[_FeatureBlock] = []
        offset = 0
        for spec, (_, vectorizer) in zip(features, vectorizers, strict=True):
            terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
            blocks.append(
                _FeatureBlock.build(spec, [str(t) for t in terms], vectorizer.idf_, offset)
            )
            offset += len(terms)
        return cls(
            intents=[str(label) for label in model.classes_],
            weights=model.coef_.T,
            intercept=model.intercept_,
            blocks=blocks,
            provenance=provenance,
            pipeline=pipeline,
        )

    def save(self, path: Path) -> None:
        """Write the model as compressed arrays plus a JSON header (no pickles)."""
        header = {
            "format": MODEL_FORMAT,
            "intents": list(self.intents),
            "blocks": [
                {"name": b.spec[0], "analyzer": b.spec[1], "ngram_range": list(b.spec[2]),
                 "min_df": b.spec[3], "size": len(b.terms)}
                for b in self._blocks
            ],
            "provenance": dict(sorted(self.provenance.items())),
        }  # fmt: skip
        arrays: dict[str, npt.NDArray[Any]] = {
            "header": np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
            "weights": self._weights.astype(np.float32),
            "intercept": self._intercept,
        }
        for index, block in enumerate(self._blocks):
            joined = "\n".join(block.terms).encode("utf-8")
            arrays[f"terms_{index}"] = np.frombuffer(joined, dtype=np.uint8)
            arrays[f"idf_{index}"] = block.idf
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        with temporary.open("wb") as handle:
            np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]  # stub: **kwds
        temporary.replace(path)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> IntentClassifier:
        """Read a file written by :meth:`save`; raises :class:`ModelFileError` if unusable."""
        try:
            with np.load(path, allow_pickle=False) as stored:
                arrays = {name: stored[name] for name in stored.files}
        except FileNotFoundError:
            raise
        except (OSError, ValueError) as exc:
            raise ModelFileError(f"{path}: {exc}") from None
        try:
            header = json.loads(arrays["header"].tobytes().decode("utf-8"))
            if header.get("format") != MODEL_FORMAT:
                raise ModelFileError(f"{path}: format {header.get('format')!r}, not {MODEL_FORMAT}")
            blocks: list[_FeatureBlock] = []
            offset = 0
            for index, meta in enumerate(header["blocks"]):
                spec: FeatureSpec = (
                    str(meta["name"]),
                    str(meta["analyzer"]),
                    (int(meta["ngram_range"][0]), int(meta["ngram_range"][1])),
                    int(meta["min_df"]),
                )
                raw = arrays[f"terms_{index}"].tobytes().decode("utf-8")
                terms = raw.split("\n") if raw else []
                blocks.append(_FeatureBlock.build(spec, terms, arrays[f"idf_{index}"], offset))
                offset += len(terms)
            return cls(
                intents=[str(intent) for intent in header["intents"]],
                weights=arrays["weights"],
                intercept=arrays["intercept"],
                blocks=blocks,
                provenance={str(k): str(v) for k, v in header.get("provenance", {}).items()},
            )
        except (KeyError, TypeError, IndexError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelFileError(f"{path}: malformed ({exc!r})") from None

    @property
    def feature_count(self) -> int:
        return sum(len(block.terms) for block in self._blocks)

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


def load_or_train(path: Path = MODEL_PATH) -> IntentClassifier:
    """The shipped model if it is there and current, else one trained on the shipped examples."""
    from app.triage import intent_training

    try:
        classifier = IntentClassifier.load(path)
    except FileNotFoundError:
        reason = "is missing"
    except ModelFileError as exc:
        reason = f"cannot be used ({exc})"
    else:
        stale = intent_training.stale_sources(classifier.provenance)
        if not stale:
            return classifier
        reason = f"was built from other versions of {', '.join(stale)}"
    logger.warning(
        "intent model %s %s; training on the shipped examples at start-up instead "
        "(rebuild it with `python -m app.triage.intent_training`)",
        path,
        reason,
    )
    return intent_training.train_on_shipped_examples()


def default_classifier() -> IntentClassifier:
    """The shipped classifier (see :func:`load_or_train`), loaded once per process."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = load_or_train()
    return _default
