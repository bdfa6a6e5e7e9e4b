"""Operator commands on triage and the trigger matrix: ``triage``, ``replay`` and ``eval``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from app.config_file import EscalationConfig
from app.policy.matrix import RepeatContext, decide
from app.policy.overrides import apply_overrides
from app.policy.replay import ReplayCase, render_comparison, replay
from app.triage.engine import TriageEngine
from app.triage.evaluation import EvaluationReport, LabelledMessage, evaluate

TIERS = ("free", "pro", "enterprise")


class InputError(ValueError):
    """A line of input that cannot be used; the message says why."""


def _read_case(line: str, config: EscalationConfig) -> tuple[str, str, bool]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg}") from None
    if not isinstance(row, dict) or not isinstance(row.get("text"), str):
        raise InputError('expected an object with a "text" string')
    tier = row.get("tier")
    channel = row.get("channel")
    if tier is None and isinstance(channel, str):
        account = config.account_for_channel(channel)
        tier = account.tier if account else None
    tier = tier or "pro"
    if tier not in TIERS:
        raise InputError(f"tier must be one of {', '.join(TIERS)}, not {tier!r}")
    return row["text"], str(tier), bool(row.get("repeat", False))


def run_triage(
    lines: Iterable[str], out: TextIO, *, engine: TriageEngine, config: EscalationConfig
) -> int:
    """One JSON line out per JSON line in; returns how many lines were refused."""
    refused = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            text, tier, repeat = _read_case(line, config)
        except InputError as exc:
            refused += 1
            out.write(json.dumps({"line": number, "error": str(exc)}) + "\n")
            continue
        outcome = engine.triage(text)
        confidence = outcome.confidence if outcome.answer is not None else 0.0
        decision = decide(
            signals=outcome.signals,
            confidence=confidence,
            tier=tier,
            policy=config.policy,
            repeat=RepeatContext(after_bot_answer=repeat),
        )
        result: dict[str, Any] = {
            "intent": outcome.signals.intent,
            "sentiment": round(outcome.signals.sentiment, 3),
            "language": outcome.signals.language,
            "confidence": round(confidence, 3),
            "escalate": decision.escalate,
            "triggers": decision.fired_types,
            "reasons": decision.reasons(),
            "skill": config.taxonomy.skill_map.get(outcome.signals.intent, "general"),
            "summary": outcome.summary,
            "backend": outcome.backend,
        }
        if outcome.answer is not None:
            result["citations"] = [c.url for c in outcome.answer.citations]
        if outcome.fallback_reason:
            result["fallback_reason"] = outcome.fallback_reason
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return refused


def run_replay(
    path: Path,
    overrides: Sequence[str],
    out: TextIO,
    *,
    engine: TriageEngine,
    config: EscalationConfig,
) -> None:
    """Escalation rates of past messages before and after ``--set`` overrides."""
    after_policy = apply_overrides(config.policy, overrides)
    cases: list[ReplayCase] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            text, tier, repeat = _read_case(line, config)
        except InputError as exc:
            raise InputError(f"{path}:{number}: {exc}") from None
        outcome = engine.triage(text)
        confidence = outcome.confidence if outcome.answer is not None else 0.0
        cases.append(ReplayCase(outcome.signals, confidence, tier, repeat))
    before = replay(cases, config.policy)
    after = replay(cases, after_policy)
    out.write(render_comparison(before, after, changes=overrides) + "\n")


def load_labelled_file(path: Path) -> list[LabelledMessage]:
    rows: list[LabelledMessage] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not JSON: {exc.msg}") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise InputError(f'{path}:{number}: expected an object with a "text" string')
        intent = row.get("intent")
        must = row.get("must_escalate")
        rows.append(
            LabelledMessage(
                text=row["text"],
                intent=intent if isinstance(intent, str) else None,
                must_escalate=bool(must) if must is not None else False,
                language=row.get("language"),
                source=str(path.name),
            )
        )
    return rows


def run_eval(
    path: Path, out: TextIO, *, engine: TriageEngine, config: EscalationConfig
) -> EvaluationReport:
    rows = load_labelled_file(path)
    backend = getattr(engine, "backend", None)
    if backend is None:
        raise InputError("eval needs the offline triage backend")
    report = evaluate(
        rows, backend, always_escalate=frozenset(config.policy.intent.always_escalate)
    )
    out.write(render_report(report) + "\n")
    return report


def render_report(report: EvaluationReport) -> str:
    lines = [
        f"messages                 {report.total}",
        f"intent accuracy          {report.intent_accuracy:.1%} "
        f"({report.intent_correct}/{report.intent_total})",
        f"must-escalate recall     {report.must_escalate_recall:.1%} "
        f"({report.must_escalate_caught}/{report.must_escalate_total})",
        f"false escalation rate    {report.false_escalation_rate:.1%} "
        f"({report.calm_flagged}/{report.calm_total} calm routine messages)",
        "",
        "confusion (expected -> predicted: count), errors only",
    ]
    errors = sorted(
        ((pair, n) for pair, n in report.confusion.items() if pair[0] != pair[1]),
        key=lambda item: (-item[1], item[0]),
    )
    lines += [f"  {expected:<18} -> {got:<18} {n}" for (expected, got), n in errors] or ["  none"]
    return "\n".join(lines)
