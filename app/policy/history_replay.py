"""Replays the stored history of triaged messages under the current engine and policy, and under
a change of thresholds or channel modes: what the last N days would have looked like.

Each recorded customer message is triaged again (the chatter detector first, then the engine),
then decided once per scenario: a channel in ``off`` mode does nothing, chatter gets no reply
and no card, a channel in ``triage`` mode hands every request to a person, and a channel in
``answer`` mode goes through the trigger matrix. Each message is decided with its thread's
recorded history (requests before it and their sentiment, a reply after the bot's answer);
surge playbooks and the "same answer again" repeat are not replayed.

The recorded decisions are compared with what the current policy does ("recorded vs now"), so
a lead sees the drift before changing anything. Pure: records and an engine in, figures out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from app.config_file import ChannelMode, PolicyConfig
from app.db.triage_history import TriagedMessage
from app.policy.matrix import RepeatContext, decide
from app.triage.chatter import ChatterKind, chatter_kind
from app.triage.engine import TriageEngine
from app.triage.signals import Cue, Signals

Outcome = Literal["escalated", "answered", "chatter", "off"]
OUTCOMES: tuple[Outcome, ...] = ("escalated", "answered", "chatter", "off")
_NOT_HELPED_CUES = (Cue.STILL_BROKEN, Cue.REPEAT_CONTACT)


@dataclass(frozen=True)
class Retriaged:
    """A recorded message triaged again now: its chatter kind, or its signals."""

    message: TriagedMessage
    repeat: RepeatContext  # from the thread's recorded history
    chatter: ChatterKind | None
    signals: Signals | None  # None for chatter
    confidence: float = 0.0
    backend: str = "offline"  # the engine that triaged it now


@dataclass(frozen=True)
class Scenario:
    """A policy and the mode of each channel (channels not listed: the bot stays out)."""

    policy: PolicyConfig
    modes: Mapping[str, ChannelMode]

    def mode(self, channel: str) -> ChannelMode:
        return self.modes.get(channel, "off")

    def with_modes(self, changes: Mapping[str, ChannelMode]) -> Scenario:
        return Scenario(self.policy, {**self.modes, **changes})


@dataclass(frozen=True)
class ChannelChange:
    """One channel's mode change, under the changed policy: its messages' outcomes before and
    after the switch."""

    channel: str
    account: str
    from_mode: ChannelMode
    to_mode: ChannelMode
    before: Counter[Outcome]
    after: Counter[Outcome]

    @property
    def messages(self) -> int:
        return sum(self.before.values())


@dataclass(frozen=True)
class HistoryComparison:
    messages: int
    recorded: Counter[Outcome]
    before: Counter[Outcome]  # current engine, policy and modes
    after: Counter[Outcome]  # with the changes
    #: recorded escalations that the chatter detector now takes for chatter: cards not sent
    chatter_cards_avoided: int
    drift: Counter[tuple[Outcome, Outcome]]  # (recorded, now) -> messages
    intents_compared: int  # messages triaged then and now (not chatter now)
    intents_changed: int
    recorded_backends: Counter[str]
    recorded_fallbacks: int  # recorded with the offline result after a model failure
    channel_changes: tuple[ChannelChange, ...] = field(default=())
    retriaged_with: str = "offline"


def thread_contexts(messages: Sequence[TriagedMessage]) -> dict[int, RepeatContext]:
    """Decision id -> what the thread's recorded history says about the message: the requests
    triaged before it in its conversation (and their sentiment), and whether it is a reply
    after the bot's answer. ``said_not_helped`` is left to :func:`retriage`."""
    earlier: dict[int, list[TriagedMessage]] = defaultdict(list)
    contexts: dict[int, RepeatContext] = {}
    for message in messages:
        before = earlier[message.conversation_id]
        contexts[message.decision_id] = RepeatContext(
            # in a thread, a triaged customer reply follows the bot's answer (replies to an
            # escalated conversation are the agent's and are not triaged)
            after_bot_answer=not message.opening and not message.joined,
            earlier_asks=len(before),
            earlier_sentiments=tuple(m.sentiment for m in before),
        )
        before.append(message)
    return contexts


def retriage(messages: Sequence[TriagedMessage], engine: TriageEngine) -> list[Retriaged]:
    """The messages of the window triaged again: chatter first, then ``engine``."""
    contexts = thread_contexts(messages)
    replayed: list[Retriaged] = []
    for message in messages:
        if not message.in_window:
            continue
        repeat = contexts[message.decision_id]
        kind = chatter_kind(message.text)
        if kind is not None:
            replayed.append(Retriaged(message, repeat, kind, None))
            continue
        outcome = engine.triage(message.text, account_language=message.account_language)
        not_helped = any(cue in outcome.signals.cues for cue in _NOT_HELPED_CUES)
        repeat = RepeatContext(
            after_bot_answer=repeat.after_bot_answer,
            said_not_helped=not message.opening and not_helped,
            earlier_asks=repeat.earlier_asks,
            earlier_sentiments=repeat.earlier_sentiments,
        )
        confidence = outcome.confidence if outcome.answer is not None else 0.0
        replayed.append(
            Retriaged(message, repeat, None, outcome.signals, confidence, outcome.backend)
        )
    return replayed


def outcome(item: Retriaged, scenario: Scenario) -> Outcome:
    """What the bot would do with the message under ``scenario``."""
    mode = scenario.mode(item.message.channel_id)
    if mode == "off":
        return "off"
    if item.chatter is not None or item.signals is None:
        return "chatter"
    if mode == "triage":
        return "escalated"
    decision = decide(
        signals=item.signals,
        confidence=item.confidence,
        tier=item.message.tier,
        policy=scenario.policy,
        repeat=item.repeat,
    )
    return "escalated" if decision.escalate else "answered"


def recorded_outcome(message: TriagedMessage) -> Outcome:
    return "escalated" if message.escalated else "answered"


def compare_history(
    replayed: Iterable[Retriaged],
    *,
    before: Scenario,
    after: Scenario,
    mode_changes: Mapping[str, ChannelMode] | None = None,
) -> HistoryComparison:
    """The recorded outcomes, the current ones (``before``) and the changed ones (``after``).
    ``after`` already carries ``mode_changes``; each changed channel is also compared under
    ``after``'s policy with its mode as it is, so the switch alone is measured."""
    items = list(replayed)
    mode_changes = mode_changes or {}
    recorded: Counter[Outcome] = Counter()
    now: Counter[Outcome] = Counter()
    changed: Counter[Outcome] = Counter()
    drift: Counter[tuple[Outcome, Outcome]] = Counter()
    backends: Counter[str] = Counter()
    avoided = compared = intents_changed = fallbacks = 0
    unswitched = Scenario(after.policy, {**after.modes, **_current(before, mode_changes)})
    per_channel: dict[str, tuple[Counter[Outcome], Counter[Outcome]]] = {
        channel: (Counter(), Counter()) for channel in mode_changes
    }
    accounts: dict[str, str] = {}
    for item in items:
        message = item.message
        then, current, later = (
            recorded_outcome(message),
            outcome(item, before),
            outcome(item, after),
        )
        recorded[then] += 1
        now[current] += 1
        changed[later] += 1
        drift[(then, current)] += 1
        backends[message.backend] += 1
        fallbacks += message.fallback_reason is not None
        if message.escalated and item.chatter is not None:
            avoided += 1
        if item.signals is not None:
            compared += 1
            intents_changed += item.signals.intent != message.intent
        if message.channel_id in per_channel:
            accounts[message.channel_id] = message.account_name
            switched_from, switched_to = per_channel[message.channel_id]
            switched_from[outcome(item, unswitched)] += 1
            switched_to[later] += 1
    changes = tuple(
        ChannelChange(
            channel=channel,
            account=accounts.get(channel, ""),
            from_mode=before.mode(channel),
            to_mode=mode,
            before=per_channel[channel][0],
            after=per_channel[channel][1],
        )
        for channel, mode in mode_changes.items()
    )
    retriaged_with = Counter(i.backend for i in items if i.signals is not None)
    return HistoryComparison(
        messages=len(items),
        recorded=recorded,
        before=now,
        after=changed,
        chatter_cards_avoided=avoided,
        drift=drift,
        intents_compared=compared,
        intents_changed=intents_changed,
        recorded_backends=backends,
        recorded_fallbacks=fallbacks,
        channel_changes=changes,
        retriaged_with=", ".join(sorted(retriaged_with)) or "offline",
    )


def _current(before: Scenario, channels: Iterable[str]) -> dict[str, ChannelMode]:
    return {channel: before.mode(channel) for channel in channels}


_LABELS: Mapping[Outcome, str] = {
    "escalated": "escalations",
    "answered": "answered without a person",
    "chatter": "chatter: no reply, no card",
    "off": "bot off in the channel",
}
_DRIFT_LABELS: Mapping[Outcome, str] = {
    "escalated": "escalated",
    "answered": "answered",
    "chatter": "chatter",
    "off": "off",
}


def render_history(
    comparison: HistoryComparison, *, days: int, scope: str, changes: Sequence[str]
) -> str:
    """The plain-text report of ``replay --days``."""
    total = comparison.messages
    lines = [
        f"Replayed {total} triaged customer messages of the last {days} days ({scope}),",
        f"re-triaged with the {comparison.retriaged_with} backend",
        "changes: " + (", ".join(changes) if changes else "none"),
        "before: the current engine, policy and channel modes; after: with the changes",
        "",
        f"{'':<30}{'recorded':>14}{'before':>14}{'after':>14}",
    ]
    for key in OUTCOMES:
        recorded = (
            _cell(comparison.recorded[key], total) if key in ("escalated", "answered") else "-"
        )
        lines.append(
            f"{_LABELS[key]:<30}{recorded:>14}"
            f"{_cell(comparison.before[key], total):>14}{_cell(comparison.after[key], total):>14}"
        )
    lines += [
        "",
        f"{'chatter cards avoided':<30}{comparison.chatter_cards_avoided} (recorded escalations "
        "the chatter detector now leaves alone)",
    ]
    if comparison.channel_changes:
        lines += ["", "channel mode changes (the channel's messages, under the after policy)"]
        for change in comparison.channel_changes:
            name = f"{change.channel} ({change.account})" if change.account else change.channel
            lines.append(
                f"  {name}: {change.from_mode} -> {change.to_mode}, {change.messages} messages: "
                f"escalations {_delta(change.before['escalated'], change.after['escalated'])}, "
                f"answered {_delta(change.before['answered'], change.after['answered'])}"
            )
    lines += [
        "",
        "recorded vs now (the current engine and policy, without the changes)",
        f"  {'same outcome':<30}{_count(_same(comparison), total)}",
    ]
    for (then, now), count in sorted(comparison.drift.items(), key=lambda kv: _order(kv[0])):
        if then != now:
            label = f"{_DRIFT_LABELS[then]} then, {_DRIFT_LABELS[now]} now"
            lines.append(f"  {label:<30}{count}")
    lines.append(
        f"  {'intent differs':<30}"
        f"{_count(comparison.intents_changed, comparison.intents_compared)} requests"
    )
    backends = ", ".join(f"{name} {n}" for name, n in sorted(comparison.recorded_backends.items()))
    lines.append(
        f"  {'recorded by':<30}{backends or 'none'}"
        + (
            f" ({comparison.recorded_fallbacks} of them offline after a model failure)"
            if comparison.recorded_fallbacks
            else ""
        )
    )
    return "\n".join(lines)


def _same(comparison: HistoryComparison) -> int:
    return sum(n for (then, now), n in comparison.drift.items() if then == now)


def _order(pair: tuple[Outcome, Outcome]) -> tuple[int, int]:
    return OUTCOMES.index(pair[0]), OUTCOMES.index(pair[1])


def _cell(part: int, whole: int) -> str:
    return f"{part} ({part / whole * 100 if whole else 0.0:.1f}%)"


def _count(part: int, whole: int) -> str:
    return f"{part} of {whole}"


def _delta(before: int, after: int) -> str:
    return f"{before} -> {after} ({after - before:+d})"
