from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from app.knowledge import SAMPLE_KB_PATH, KnowledgeIndex, load_articles
from app.knowledge.calibration import (
    FEATURE_NAMES,
    SHIPPED_CALIBRATION_PATH,
    TRAINING_QUESTIONS_PATH,
    AnswerCalibration,
    CalibrationError,
    LabelledQuestion,
    RetrievalFeatures,
    fit_calibration,
    load_calibration,
    load_questions,
    observe,
    reliability,
)
from app.knowledge.quality import features_and_top

SHIPPED = load_calibration()
LEVELS = [0.0, 0.1, 0.3, 0.5, 0.8, 1.0]
SCORES = [0.0, 0.5, 2.0, 4.0, 8.0, 15.0, 40.0]


@pytest.fixture(scope="module")
def index() -> KnowledgeIndex:
    return KnowledgeIndex.build(load_articles(SAMPLE_KB_PATH).articles)


def _p(**changes: float) -> float:
    base = {
        "coverage": 0.6,
        "title_coverage": 0.3,
        "top_score": 8.0,
        "runner_up_score": 4.0,
        "unknown_share": 0.2,
    }
    return SHIPPED.probability(RetrievalFeatures(**{**base, **changes}))


@pytest.mark.parametrize(
    ("feature", "values", "direction"),
    [
        ("coverage", LEVELS, 1),
        ("title_coverage", LEVELS, 1),
        ("top_score", [s for s in SCORES if s >= 4.0], 1),
        ("runner_up_score", [s for s in SCORES if s <= 8.0], -1),
        ("unknown_share", LEVELS, -1),
    ],
)
def test_shipped_model_moves_the_way_each_feature_says(
    feature: str, values: list[float], direction: int
) -> None:
    """More of the question covered, a stronger and clearer top article: more confident."""
    probabilities = [_p(**{feature: value}) for value in values]
    assert probabilities == sorted(probabilities, reverse=direction < 0)
    assert probabilities[0] != probabilities[-1]


def test_probabilities_are_bounded_and_zero_without_a_match() -> None:
    for coverage, top, runner_up in itertools.product(LEVELS, SCORES, SCORES):
        features = RetrievalFeatures(coverage, coverage / 2, top, runner_up, 1 - coverage)
        assert 0.0 <= SHIPPED.probability(features) <= 1.0
    assert _p(top_score=0.0) == 0.0
    assert _p(coverage=0.0) == 0.0
    assert _p(coverage=1.0, title_coverage=1.0, top_score=40.0, runner_up_score=0.0) > 0.95


def test_shipped_model_is_the_fit_of_the_shipped_questions(index: KnowledgeIndex) -> None:
    """The shipped coefficients come from data: refitting reproduces them."""
    questions = load_questions(TRAINING_QUESTIONS_PATH)
    observations = observe(questions, lambda text: features_and_top(index, text))
    refitted = fit_calibration(observations, fitted_on=TRAINING_QUESTIONS_PATH.name)
    assert refitted.coefficients == pytest.approx(SHIPPED.coefficients, abs=1e-4)
    assert refitted.intercept == pytest.approx(SHIPPED.intercept, abs=1e-4)
    assert SHIPPED.rows == len(questions) >= 100
    assert sum(q.article is None for q in questions) >= 30


def test_fit_needs_both_outcomes() -> None:
    features = RetrievalFeatures(0.5, 0.5, 5.0, 1.0, 0.0)
    with pytest.raises(CalibrationError, match="does not"):
        fit_calibration(
            observe([LabelledQuestion("q", None)], lambda _: (features, "a")), fitted_on="x"
        )


def test_json_round_trip_and_refusals(tmp_path: Path) -> None:
    assert AnswerCalibration.from_json(SHIPPED.to_json()) == SHIPPED
    data = json.loads(SHIPPED_CALIBRATION_PATH.read_text())
    assert data["features"] == list(FEATURE_NAMES)
    for broken, message in [
        ("{", "not JSON"),
        (json.dumps({**data, "features": ["score"]}), "refit it"),
        (json.dumps({**data, "coefficients": [1, 2]}), "must be numbers"),
        (json.dumps({**data, "intercept": "high"}), "must be numbers"),
        (json.dumps({**data, "coefficients": [1, 2, 3, 4, True]}), "must be numbers"),
    ]:
        path = tmp_path / "calibration.json"
        path.write_text(broken)
        with pytest.raises(CalibrationError, match=message) as error:
            load_calibration(path)
        assert str(path) in str(error.value)
    with pytest.raises(CalibrationError, match=r"missing\.json"):
        load_calibration(tmp_path / "missing.json")


def test_questions_file_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    path.write_text('{"text": "a", "article": "x"}\n\n{"text": "b", "article": 3}\n')
    with pytest.raises(CalibrationError, match=r"questions.jsonl:3: .*slug or null"):
        load_questions(path)
    path.write_text('{"text": "a", "article": null}\nnope\n')
    with pytest.raises(CalibrationError, match=r"questions.jsonl:2: not JSON"):
        load_questions(path)


def test_reliability_table_and_expected_calibration_error() -> None:
    pairs = [(0.1, False), (0.1, False), (0.15, True), (0.9, True), (0.95, True), (0.85, False)]
    result = reliability(pairs, bins=5)
    low, *_middle, high = result.bins
    assert (low.count, high.count) == (3, 3)
    assert low.mean_confidence == pytest.approx(0.35 / 3)
    assert low.accuracy == pytest.approx(1 / 3)
    assert high.accuracy == pytest.approx(2 / 3)
    assert all(b.count == 0 for b in _middle)
    expected = (3 * abs(0.35 / 3 - 1 / 3) + 3 * abs(0.9 - 2 / 3)) / 6
    assert result.expected_calibration_error == pytest.approx(expected)
    brier = sum((c - ok) ** 2 for c, ok in pairs) / 6
    assert result.brier_score == pytest.approx(brier)
    assert reliability([]).expected_calibration_error == 0.0
    assert reliability([(1.0, True)]).bins[-1].count == 1
