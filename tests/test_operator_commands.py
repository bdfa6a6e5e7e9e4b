"""``escalation-bot triage | replay | eval`` on the real offline engine."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import EXAMPLE_CONFIG, load_settings
from app.config_file import EscalationConfig, load_config
from app.knowledge.calibration import (
    HELDOUT_QUESTIONS_PATH,
    TRAINING_QUESTIONS_PATH,
    load_calibration,
)
from app.operator_commands import InputError, run_calibrate, run_eval, run_replay, run_triage
from app.policy.overrides import OverrideError, apply_overrides
from app.triage.chatter_evaluation import CHATTER_HELDOUT_PATH
from app.triage.engine import TriageEngine
from app.triage.factory import build_triage_engine
from tests.test_cli import run_cli


@pytest.fixture(scope="module")
def config() -> EscalationConfig:
    return load_config(EXAMPLE_CONFIG)


@pytest.fixture(scope="module")
def engine(config: EscalationConfig) -> Iterator[TriageEngine]:
    yield build_triage_engine(load_settings(), config, offline_only=True)


def test_triage_writes_one_line_per_input(engine: TriageEngine, config: EscalationConfig) -> None:
    lines = [
        json.dumps({"text": "You double charged us, refund it", "tier": "pro"}),
        json.dumps({"text": "how do I export a board to csv", "channel": "C0INITECH"}),
        "",
        "{broken",
        json.dumps({"text": "hi", "tier": "gold"}),
    ]
    out = io.StringIO()
    refused = run_triage(lines, out, engine=engine, config=config)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert refused == 2
    dispute, how_to, broken, bad_tier = results
    assert dispute["intent"] == "billing_dispute" and dispute["escalate"] is True
    assert "intent" in dispute["triggers"]
    assert how_to["escalate"] is False and how_to["triggers"] == []
    assert how_to["confidence"] >= 0.5 and how_to["citations"]
    for key in ("intent", "sentiment", "language", "confidence", "escalate", "triggers"):
        assert key in how_to
    assert broken == {"line": 4, "error": broken["error"]} and "not JSON" in broken["error"]
    assert "tier must be one of" in bad_tier["error"]


def test_replay_compares_rates_before_and_after(
    tmp_path: Path, engine: TriageEngine, config: EscalationConfig
) -> None:
    history = tmp_path / "past.jsonl"
    history.write_text(
        "\n".join(
            json.dumps(row)
            for row in [
                {
                    "text": "this is getting really annoying, the export keeps failing",
                    "tier": "pro",
                },
                {"text": "how do I export a board to csv", "tier": "free"},
                {"text": "please cancel our plan", "tier": "enterprise"},
            ]
        )
    )
    out = io.StringIO()
    run_replay(
        history,
        ["policy.confidence.threshold=0", "policy.sentiment.threshold=-1"],
        out,
        engine=engine,
        config=config,
    )
    report = out.getvalue()
    assert "Replayed 3 messages with policy.confidence.threshold=0" in report
    rate_line = next(line for line in report.splitlines() if line.startswith("escalation rate"))
    before, after = rate_line.split()[-2:]
    assert float(before.rstrip("%")) >= float(after.rstrip("%"))
    assert "cancellation (1)" in report and "enterprise (1)" in report


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("policy.sentiment.threshold", "expected KEY=VALUE"),
        ("policy.sentiment.treshold=-0.5", "no such policy key"),
        ("policy.sentiment.threshold=-3", "policy.sentiment.threshold: Input should be"),
        ("policy.intent.always_escalate=[nope]", None),
    ],
)
def test_bad_overrides_are_named(
    config: EscalationConfig, override: str, message: str | None
) -> None:
    if message is None:
        # an unknown intent is accepted by the policy schema but flagged by the full config
        policy = apply_overrides(config.policy, [override])
        assert policy.intent.always_escalate == ["nope"]
        return
    with pytest.raises(OverrideError, match=message):
        apply_overrides(config.policy, [override])


def test_eval_reports_the_quality_bars_on_the_labelled_set(
    engine: TriageEngine, config: EscalationConfig
) -> None:
    labelled = Path(__file__).resolve().parents[1] / "app/triage/data/labelled_messages.jsonl"
    out = io.StringIO()
    report = run_eval(labelled, out, engine=engine, config=config)
    text = out.getvalue()
    assert report.intent_accuracy >= 0.90
    assert report.must_escalate_recall >= 0.99
    assert report.false_escalation_rate <= 0.10
    assert f"intent accuracy          {report.intent_accuracy:.1%}" in text
    assert "confusion (expected -> predicted: count)" in text
    assert "per intent               precision  recall  rows" in text
    assert f"language accuracy        {report.language_accuracy:.1%}" in text
    per_intent = report.per_intent()
    assert sum(rows for _p, _r, rows in per_intent.values()) == report.intent_total
    assert all(0.0 <= p <= 1.0 and 0.0 <= r <= 1.0 for p, r, _n in per_intent.values())


def test_eval_measures_the_knowledge_base_and_its_calibration(
    engine: TriageEngine, config: EscalationConfig
) -> None:
    labelled = Path(__file__).resolve().parents[1] / "app/triage/data/labelled_messages.jsonl"
    out = io.StringIO()
    run_eval(
        labelled,
        out,
        engine=engine,
        config=config,
        questions=[("sample", TRAINING_QUESTIONS_PATH), ("held-out", HELDOUT_QUESTIONS_PATH)],
        chatter=[("held-out chatter", CHATTER_HELDOUT_PATH)],
    )
    text = out.getvalue()
    assert "knowledge base: sample (answer at confidence >= 0.50)" in text
    assert "knowledge base: held-out" in text
    assert text.count("expected calibration error") == 2
    assert text.count("reliability: confidence bin") == 2
    assert "chatter: held-out chatter" in text and "requests taken for chatter" in text


def test_calibrate_writes_a_model_the_index_uses(tmp_path: Path, engine: TriageEngine) -> None:
    index = engine.index  # type: ignore[attr-defined]
    destination = tmp_path / "calibration.json"
    out = io.StringIO()
    fitted = run_calibrate(TRAINING_QUESTIONS_PATH, destination, out, index=index)
    written = load_calibration(destination)
    assert written.coefficients == pytest.approx(fitted.coefficients, abs=1e-6)
    assert written.intercept == pytest.approx(fitted.intercept, abs=1e-6)
    assert "expected calibration error" in out.getvalue() and str(destination) in out.getvalue()
    assert not list(tmp_path.glob("*.partial"))
    bad = tmp_path / "questions.jsonl"
    bad.write_text('{"text": "how do I reset my password", "article": "no-such-article"}\n')
    with pytest.raises(InputError, match="no article has the slug no-such-article"):
        run_calibrate(bad, tmp_path / "other.json", io.StringIO(), index=index)
    assert not (tmp_path / "other.json").exists()


def test_eval_refuses_a_bad_file(
    tmp_path: Path, engine: TriageEngine, config: EscalationConfig
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok", "intent": "how_to"}\n[1, 2]\n')
    with pytest.raises(InputError, match=r"bad.jsonl:2: expected an object"):
        run_eval(bad, io.StringIO(), engine=engine, config=config)


def test_commands_from_the_shell(tmp_path: Path) -> None:
    result = run_cli("triage", input_text='{"text": "I want to talk to a human"}\n')
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["intent"] == "human_request"
    missing = run_cli("replay", str(tmp_path / "absent.jsonl"))
    assert missing.returncode == 2 and "absent.jsonl" in missing.stderr
    override = tmp_path / "one.jsonl"
    override.write_text('{"text": "hello"}\n')
    bad = run_cli("replay", str(override), "--set", "policy.nothing=1")
    assert bad.returncode == 2 and "policy.nothing: no such policy key" in bad.stderr
