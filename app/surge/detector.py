"""Surge detection from plain counts: pure functions, fed by SQL aggregates elsewhere.

A 5-minute window is compared with the same 5 minutes of the same weekday in the previous weeks
(the baseline: their median, so one unusual week does not move it). The window is a surge when it
is at least ``multiple`` times the baseline AND above an absolute floor (a quiet hour going from 1
to 4 messages is not a surge), AND the volume comes from several channels (one noisy customer
channel is not a surge). A single intent or one error text can surge on its own, with the same
rules: the intent's share of the window against its own baseline; the same error fingerprint from
several accounts.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

DEFAULT_MULTIPLE = 3.0
DEFAULT_MIN_MESSAGES = 12  # per 5-minute window, before anything counts as a surge
DEFAULT_MIN_CHANNELS = 3
DEFAULT_MIN_ACCOUNTS_PER_ERROR = 3


@dataclass(frozen=True)
class WindowCounts:
    """What happened in one 5-minute window."""

    messages: int
    escalations: int = 0
    channels: int = 0  # distinct customer channels that wrote
    by_intent: Mapping[str, int] | None = None
    accounts_by_fingerprint: Mapping[str, int] | None = None  # error fingerprint -> accounts


@dataclass(frozen=True)
class SurgeSignal:
    kind: str  # volume | escalations | intent | error
    key: str  # "" for volume/escalations, the intent id, or the error fingerprint
    observed: int
    baseline: float
    multiple: float
    reason: str


def baseline(history: Sequence[int]) -> float:
    """The usual level: the median of the same window in previous weeks (0 without history)."""
    return float(statistics.median(history)) if history else 0.0


def _ratio(observed: int, usual: float) -> float:
    return observed / usual if usual > 0 else float("inf") if observed else 0.0


def detect(
    now: WindowCounts,
    history: Sequence[WindowCounts],
    *,
    multiple: float = DEFAULT_MULTIPLE,
    min_messages: int = DEFAULT_MIN_MESSAGES,
    min_channels: int = DEFAULT_MIN_CHANNELS,
    min_accounts_per_error: int = DEFAULT_MIN_ACCOUNTS_PER_ERROR,
) -> list[SurgeSignal]:
    """Every surge signal in the window, strongest first (empty: a normal window)."""
    signals: list[SurgeSignal] = []
    spread = now.channels >= min_channels
    usual = baseline([h.messages for h in history])
    if now.messages >= min_messages and spread and _ratio(now.messages, usual) >= multiple:
        signals.append(
            SurgeSignal(
                "volume",
                "",
                now.messages,
                usual,
                _ratio(now.messages, usual),
                f"{now.messages} messages in 5 min from {now.channels} channels, usually {usual:g}",
            )
        )
    usual_escalations = baseline([h.escalations for h in history])
    if (
        now.escalations >= max(3, min_messages // 4)
        and spread
        and _ratio(now.escalations, usual_escalations) >= multiple
    ):
        signals.append(
            SurgeSignal(
                "escalations",
                "",
                now.escalations,
                usual_escalations,
                _ratio(now.escalations, usual_escalations),
                f"{now.escalations} escalations in 5 min, usually {usual_escalations:g}",
            )
        )
    for intent, count in sorted((now.by_intent or {}).items()):
        usual_intent = baseline([(h.by_intent or {}).get(intent, 0) for h in history])
        if (
            count >= max(5, min_messages // 2)
            and spread
            and _ratio(count, usual_intent) >= multiple
        ):
            signals.append(
                SurgeSignal(
                    "intent",
                    intent,
                    count,
                    usual_intent,
                    _ratio(count, usual_intent),
                    f"{count} {intent} messages in 5 min, usually {usual_intent:g}",
                )
            )
    for fingerprint, accounts in sorted((now.accounts_by_fingerprint or {}).items()):
        if accounts >= min_accounts_per_error:
            signals.append(
                SurgeSignal(
                    "error",
                    fingerprint,
                    accounts,
                    0.0,
                    float("inf"),
                    f"the same error from {accounts} accounts in 5 min",
                )
            )
    return sorted(signals, key=lambda s: (-min(s.multiple, 1e9), s.kind, s.key))


_NUMBERS = re.compile(r"\b(?:0x[0-9a-f]+|[0-9a-f]{8,}|\d+)\b", re.IGNORECASE)
_ERROR_LINE = re.compile(r"(?im)^.*\b(?:error|exception|traceback|failed|timeout|5\d\d)\b.*$")


def error_fingerprint(text: str) -> str | None:
    """A short key for the error a message quotes, the same across accounts: the first line that
    names an error, with numbers, ids and hex removed. None when no error is quoted."""
    match = _ERROR_LINE.search(text)
    if match is None:
        return None
    line = _NUMBERS.sub("#", match.group(0).strip().lower())
    line = re.sub(r"\s+", " ", line)[:200]
    return hashlib.sha256(line.encode()).hexdigest()[:16]
