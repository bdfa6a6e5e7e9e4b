"""Operator commands on triage and the trigger matrix: ``triage``, ``replay`` (of a file, or of
the stored history of the last days), ``eval`` and ``calibrate``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from app.config_file import ChannelMode, EscalationConfig
from app.db.triage_history import TriagedMessage
from app.jsonl import JsonLinesError, json_objects
from app.knowledge.calibration import (
    AnswerCalibration,
    CalibrationError,
    fit_calibration,
    load_questions,
    observe,
    reliability,
)
from app.knowledge.index import KnowledgeIndex
from app.knowledge.quality import evaluate_knowledge, features_and_top, render_knowledge_report
from app.policy.history_replay import (
    HistoryComparison,
    Scenario,
    compare_history,
    render_history,
    retriage,
)
from app.policy.matrix import RepeatContext, decide
from app.policy.overrides import apply_overrides
from app.policy.replay import ReplayCase, render_comparison, replay
from app.team_scope import SINGLE_WORKSPACE_TEAM_ID
from app.triage.chatter_evaluation import evaluate_chatter, load_chatter, render_chatter_report
from app.triage.engine import TriageEngine
from app.triage.evaluation import EvaluationReport, LabelledMessage, evaluate
from app.triage.measured_triage import MeasuredTriage, render_measured

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


CHANNEL_MODES: tuple[ChannelMode, ...] = ("answer", "triage", "off")


def parse_mode_changes(
    assignments: Sequence[str], *, channels: Iterable[str]
) -> dict[str, ChannelMode]:
    """``--mode C0ACME=triage`` (repeatable) -> {channel: mode}; channels must be known."""
    known = set(channels)
    changes: dict[str, ChannelMode] = {}
    for assignment in assignments:
        channel, sep, mode = (part.strip() for part in assignment.partition("="))
        if not sep or not channel:
            raise InputError(f"--mode {assignment!r}: expected CHANNEL=answer|triage|off")
        if channel not in known:
            raise InputError(f"--mode {channel}: no account of the config or the history has it")
        if mode not in CHANNEL_MODES:
            raise InputError(f"--mode {channel}: the mode is answer, triage or off, not {mode!r}")
        changes[channel] = mode
    return changes


def channel_modes(
    config: EscalationConfig, *, team_id: str | None = None
) -> dict[str, ChannelMode]:
    """The configured mode of every account's channel: of one installation, or of them all."""
    teams = [team_id] if team_id is not None else [SINGLE_WORKSPACE_TEAM_ID, *config.workspaces]
    return {
        account.channel: account.mode
        for team in teams
        for account in config.for_team(team).accounts
    }


def run_history_replay(
    messages: Sequence[TriagedMessage],
    overrides: Sequence[str],
    mode_changes: Sequence[str],
    out: TextIO,
    *,
    engine: TriageEngine,
    config: EscalationConfig,
    days: int,
    team_id: str | None = None,
) -> HistoryComparison:
    """Stored history (``messages``, see :func:`app.db.triage_history.triaged_messages`) under
    the current policy and channel modes, and with ``--set`` overrides and ``--mode`` changes;
    plus the recorded decisions against the current ones."""
    modes = channel_modes(config, team_id=team_id)
    changes = parse_mode_changes(mode_changes, channels=[*modes, *(m.channel_id for m in messages)])
    before = Scenario(config.policy, modes)
    after = Scenario(apply_overrides(config.policy, overrides), modes).with_modes(changes)
    comparison = compare_history(
        retriage(messages, engine), before=before, after=after, mode_changes=changes
    )
    described = [
        *overrides,
        *(f"{channel}: {before.mode(channel)} -> {mode}" for channel, mode in changes.items()),
    ]
    scope = f"team {team_id}" if team_id is not None else "every workspace"
    out.write(render_history(comparison, days=days, scope=scope, changes=described) + "\n")
    return comparison


def load_labelled_file(path: Path) -> list[LabelledMessage]:
    rows: list[LabelledMessage] = []
    try:
        records = list(json_objects(path))
    except JsonLinesError as exc:
        raise InputError(str(exc)) from None
    for number, row in records:
        if not isinstance(row.get("text"), str):
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
    path: Path,
    out: TextIO,
    *,
    engine: TriageEngine,
    config: EscalationConfig,
    questions: Sequence[tuple[str, Path]] = (),
    chatter: Sequence[tuple[str, Path]] = (),
    index: KnowledgeIndex | None = None,
    endpoint: str | None = None,
) -> EvaluationReport:
    """Which backend was measured, its fallbacks and latency, then intent and escalation
    figures on ``path``; then, for each named file of knowledge-base questions, containment and
    the calibration of the answer confidence; then, for each named file of chatter and
    near-chatter requests, how many would reach a person or be ignored.

    ``engine`` is measured through its ``triage`` (offline or OpenAI); the knowledge-base
    sections measure ``index`` (by default the offline engine's), the retrieval every backend
    answers from. ``endpoint`` names where a model-backed engine's model is served."""
    rows = load_labelled_file(path)
    index = index if index is not None else getattr(engine, "index", None)
    if not isinstance(index, KnowledgeIndex):
        raise InputError("eval needs the knowledge index of the triage engine")
    measured = MeasuredTriage(engine, endpoint=endpoint)
    report = evaluate(
        rows, measured, always_escalate=frozenset(config.policy.intent.always_escalate)
    )
    run = measured.run()
    out.write(render_measured(run) + "\n\n" + render_report(report) + "\n")
    if questions and run.backend != "offline":
        out.write(
            "\nThe knowledge-base figures below measure the offline index, whose retrieval the "
            f"{run.backend}\nbackend answers from (its answer confidence is capped by it).\n"
        )
    for name, questions_path in questions:
        try:
            labelled = load_questions(questions_path)
        except CalibrationError as exc:
            raise InputError(str(exc)) from None
        knowledge = evaluate_knowledge(
            index, labelled, threshold=config.policy.confidence.threshold
        )
        out.write("\n" + render_knowledge_report(name, knowledge) + "\n")
    for name, chatter_path in chatter:
        try:
            chatter_rows = load_chatter(chatter_path)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        result = evaluate_chatter(
            chatter_rows, escalates=lambda text: _escalates(text, engine, config)
        )
        if run.backend != "offline":
            name += f" (offline chatter detector; what it misses is triaged by {run.backend})"
        out.write("\n" + render_chatter_report(name, result) + "\n")
    return report


def _escalates(text: str, engine: TriageEngine, config: EscalationConfig) -> bool:
    """Would this message, the first of a thread from a pro account, go to a person?"""
    outcome = engine.triage(text)
    confidence = outcome.confidence if outcome.answer is not None else 0.0
    decision = decide(
        signals=outcome.signals, confidence=confidence, tier="pro", policy=config.policy
    )
    return decision.escalate


def run_calibrate(
    questions: Path, destination: Path, out: TextIO, *, index: KnowledgeIndex
) -> AnswerCalibration:
    """Fit the answer-confidence model on labelled questions about ``index``'s articles and
    write it to ``destination`` (replaced whole, never half-written)."""
    try:
        labelled = load_questions(questions)
        slugs = {article.slug for article in index.articles}
        unknown = sorted({q.article for q in labelled if q.article} - slugs)
        if unknown:
            raise CalibrationError(f"{questions}: no article has the slug {', '.join(unknown)}")
        observations = observe(labelled, lambda text: features_and_top(index, text))
        calibration = fit_calibration(observations, fitted_on=questions.name)
    except CalibrationError as exc:
        raise InputError(str(exc)) from None
    partial = destination.with_name(destination.name + ".partial")
    partial.write_text(calibration.to_json() + "\n", encoding="utf-8")
    partial.replace(destination)
    fitted = reliability([(calibration.probability(o.features), o.correct) for o in observations])
    out.write(
        f"calibrated on {len(labelled)} questions: expected calibration error "
        f"{fitted.expected_calibration_error:.3f}, Brier {fitted.brier_score:.3f}; "
        f"wrote {destination} (set knowledge_base.calibration to use it)\n"
    )
    return calibration


def render_report(report: EvaluationReport) -> str:
    lines = [
        f"messages                 {report.total}",
        f"intent accuracy          {report.intent_accuracy:.1%} "
        f"({report.intent_correct}/{report.intent_total})",
        f"must-escalate recall     {report.must_escalate_recall:.1%} "
        f"({report.must_escalate_caught}/{report.must_escalate_total})",
        f"false escalation rate    {report.false_escalation_rate:.1%} "
        f"({report.calm_flagged}/{report.calm_total} calm routine messages)",
        f"language accuracy        {report.language_accuracy:.1%} "
        f"({report.language_correct}/{report.language_total})",
        "",
        "per intent               precision  recall  rows",
    ]
    lines += [
        f"  {intent:<22} {precision:>8.1%} {recall:>7.1%} {rows:>5}"
        for intent, (precision, recall, rows) in report.per_intent().items()
    ]
    lines += [
        "",
        "confusion (expected -> predicted: count), errors only",
    ]
    errors = sorted(
        ((pair, n) for pair, n in report.confusion.items() if pair[0] != pair[1]),
        key=lambda item: (-item[1], item[0]),
    )
    lines += [f"  {expected:<18} -> {got:<18} {n}" for (expected, got), n in errors] or ["  none"]
    return "\n".join(lines)
