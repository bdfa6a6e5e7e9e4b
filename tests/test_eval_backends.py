"""``escalation-bot eval --backend offline|openai``: what was measured, fallbacks and latency.

The OpenAI backend runs with the real ``openai`` client against the local OpenAI-compatible
stand-in (``standins/openai_api.py``); no test asserts on a time value, only on the shape
of the latency line.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.config import EXAMPLE_CONFIG, load_settings
from app.config_file import EscalationConfig, load_config
from app.knowledge.calibration import TRAINING_QUESTIONS_PATH
from app.operator_commands import run_eval
from app.triage.engine import TriageEngine, TriageOutcome
from app.triage.factory import build_knowledge_index, build_triage_engine
from app.triage.measured_triage import MeasuredTriage, latency_of, render_measured
from app.triage.openai_backend import OpenAITriageEngine
from standins.openai_api import Mode, OpenAIStandin, message_text, request_messages
from tests.test_cli import run_cli

MODEL = "gpt-standin-mini"
LATENCY_LINE = re.compile(
    r"^triage latency           median \d+\.\d ms, p95 \d+\.\d ms, max \d+\.\d ms "
    r"\((\d+) messages\)$",
    re.M,
)
ROWS = [
    {"text": "How do I reset my password?", "intent": "account_access", "language": "en"},
    {
        "text": "I want a refund for the double charge on our last invoice.",
        "intent": "billing_dispute",
        "must_escalate": True,
        "language": "en",
    },
    {"text": "Please cancel our subscription.", "intent": "cancellation", "must_escalate": True},
    {"text": "How do I export a board to csv?", "intent": "how_to", "language": "en"},
    {"text": "Where can I download last month's invoice?", "intent": "billing_question"},
]
CHATTER = [
    {"text": "thanks!", "chatter": True},
    {"text": "thanks, but the export still fails", "chatter": False},
]


@pytest.fixture(scope="module")
def config() -> EscalationConfig:
    return load_config(EXAMPLE_CONFIG)


@pytest.fixture(scope="module")
def offline(config: EscalationConfig) -> TriageEngine:
    return build_triage_engine(load_settings(), config, offline_only=True)


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    return path


@pytest.fixture
def chatter(tmp_path: Path) -> Path:
    path = tmp_path / "chatter.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in CHATTER))
    return path


class ScriptedStandin(OpenAIStandin):
    """Answers by the customer's words: a refund request gets HTTP 500, a cancellation no answer
    in time; anything else the scripted reply."""

    def _answer(
        self,
        mode: Mode,
        payload: dict[str, Any] | None,
        number: int,
        body: dict[str, Any],
        headers: dict[str, str],
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        prompt = "\n".join(
            message_text(m) for m in request_messages(body) if m.get("role") == "user"
        )
        customer = prompt.rsplit("<customer_message>", 1)[-1].lower()
        if "refund" in customer:
            mode = "error_500"
        elif "cancel" in customer:
            mode = "hang"
        return super()._answer(mode, payload, number, body, headers)


@pytest.fixture
def scripted() -> Iterator[ScriptedStandin]:
    with ScriptedStandin(hang_seconds=5) as running:
        yield running


def _openai_env(standin: OpenAIStandin) -> dict[str, str]:
    return {
        "OPENAI_API_KEY": standin.api_key,
        "OPENAI_BASE_URL": standin.base_url,
        "OPENAI_MODEL": MODEL,
        "OPENAI_MAX_RETRIES": "0",
        "OPENAI_TIMEOUT_SECONDS": "5",
        "LOG_LEVEL": "ERROR",
    }


@pytest.mark.parametrize(
    ("mode", "fallbacks"),
    [("ok", ""), ("error_500", ", scored on the offline result: openai: HTTP 500 (5)")],
)
def test_eval_measures_an_openai_compatible_server_from_the_shell(
    labelled: Path, chatter: Path, mode: Mode, fallbacks: str
) -> None:
    with OpenAIStandin(mode=mode) as standin:
        result = run_cli(
            "eval",
            str(labelled),
            "--backend",
            "openai",
            "--questions",
            str(TRAINING_QUESTIONS_PATH),
            "--chatter",
            str(chatter),
            env=_openai_env(standin),
        )
        requests, base_url = standin.requests, standin.base_url
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"backend                  openai, model {MODEL} at {base_url}\n" in out
    assert f"fell back to offline     {0 if mode == 'ok' else 5}/5 messages{fallbacks}\n" in out
    latency = LATENCY_LINE.search(out)
    assert latency is not None and latency.group(1) == "5"
    assert "messages                 5" in out and "intent accuracy" in out
    assert "knowledge-base figures below measure the offline index" in out
    assert "knowledge base: " + str(TRAINING_QUESTIONS_PATH) in out
    assert "(offline chatter detector; what it misses is triaged by openai)" in out
    # one structured-output request per labelled message (the chatter row is recognised)
    assert len(requests) == 5
    assert all(r.authorized and r.body and r.body["model"] == MODEL for r in requests)
    assert all((r.response_format or {}).get("type") == "json_schema" for r in requests)


def test_eval_counts_fallbacks_by_reason(
    scripted: ScriptedStandin, labelled: Path, config: EscalationConfig
) -> None:
    settings = load_settings(
        openai_api_key=scripted.api_key,
        openai_base_url=scripted.base_url,
        openai_model=MODEL,
        openai_max_retries=0,
        openai_timeout_seconds=0.5,
    )
    engine = build_triage_engine(settings, config)
    assert isinstance(engine, OpenAITriageEngine)
    out = io.StringIO()
    try:
        report = run_eval(
            labelled,
            out,
            engine=engine,
            config=config,
            index=build_knowledge_index(config),
            endpoint=scripted.base_url,
        )
    finally:
        engine.close()
    text = out.getvalue()
    assert report.total == 5
    assert (
        "fell back to offline     2/5 messages, scored on the offline result: "
        "openai: HTTP 500 (1), openai: timeout (1)\n" in text
    )
    assert LATENCY_LINE.search(text) is not None
    # the fallen-back messages are scored on the offline result: the refund still escalates
    assert report.must_escalate_caught == report.must_escalate_total == 2


def test_eval_openai_without_a_key_names_the_setting(labelled: Path) -> None:
    result = run_cli("eval", str(labelled), "--backend", "openai")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("escalation-bot: ")
    assert "OPENAI_API_KEY" in lines[0] and "OPENAI_BASE_URL" in lines[0]
    assert "Traceback" not in result.stderr


def test_eval_offline_says_what_it_measured(
    labelled: Path, config: EscalationConfig, offline: TriageEngine
) -> None:
    out = io.StringIO()
    run_eval(labelled, out, engine=offline, config=config)
    text = out.getvalue()
    assert text.startswith("backend                  offline\n")
    assert "fell back to offline" not in text
    latency = LATENCY_LINE.search(text)
    assert latency is not None and latency.group(1) == "5"


def test_latency_figures_and_the_measured_run(offline: TriageEngine) -> None:
    assert latency_of([]) is None
    latency = latency_of([float(n) for n in range(1, 21)])  # 1, 2, ... 20
    assert latency is not None
    assert (latency.median_ms, latency.p95_ms, latency.max_ms, latency.count) == (
        10.5,
        19.0,
        20.0,
        20,
    )

    class RefusingEngine:
        """The offline outcome, marked as a refusal for questions."""

        name = "openai"
        model = "m"

        def triage(self, text: str, *, account_language: str | None = None) -> TriageOutcome:
            outcome = offline.triage(text)
            return replace(outcome, fallback_reason="openai: refusal" if "?" in text else None)

    measured = MeasuredTriage(RefusingEngine(), endpoint="http://localhost:11434/v1")
    for text in ("How do I reset my password?", "export a board", "what now?"):
        measured.analyse(text)
    run = measured.run()
    assert run.fallbacks == {"openai: refusal": 2} and run.fell_back == 2
    rendered = render_measured(run)
    assert rendered.splitlines()[:2] == [
        "backend                  openai, model m at http://localhost:11434/v1",
        "fell back to offline     2/3 messages, scored on the offline result: openai: refusal (2)",
    ]
    latency_line = LATENCY_LINE.search(rendered)
    assert latency_line is not None and latency_line.group(1) == "3"
