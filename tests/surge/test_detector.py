"""Surge detection on synthetic volume series."""

from __future__ import annotations

import random

from app.surge.detector import WindowCounts, baseline, detect, error_fingerprint


def monday_mornings(seed: int = 3, weeks: int = 4) -> list[WindowCounts]:
    """The same busy 5 minutes (Monday 09:00) over previous weeks: 15-25 messages, 10 channels."""
    rng = random.Random(seed)
    return [
        WindowCounts(
            messages=rng.randint(15, 25),
            escalations=rng.randint(2, 5),
            channels=10,
            by_intent={"how_to": rng.randint(6, 10), "outage": rng.randint(0, 1)},
        )
        for _ in range(weeks)
    ]


def test_a_normal_monday_morning_is_not_a_surge() -> None:
    history = monday_mornings()
    today = WindowCounts(
        messages=24, escalations=5, channels=11, by_intent={"how_to": 9, "outage": 1}
    )
    assert detect(today, history) == []


def test_a_threefold_burst_across_channels_is_a_surge() -> None:
    history = monday_mornings()
    usual = baseline([h.messages for h in history])
    burst = WindowCounts(
        messages=int(usual * 3) + 1,
        escalations=18,
        channels=25,
        by_intent={"outage": 40, "how_to": 8},
    )
    signals = detect(burst, history)
    kinds = {s.kind for s in signals}
    assert {"volume", "escalations", "intent"} <= kinds
    volume = next(s for s in signals if s.kind == "volume")
    assert volume.multiple >= 3 and volume.baseline == usual
    outage = next(s for s in signals if s.kind == "intent")
    assert outage.key == "outage"


def test_one_noisy_channel_is_not_a_surge() -> None:
    history = monday_mornings()
    noisy = WindowCounts(messages=90, escalations=2, channels=1, by_intent={"how_to": 80})
    assert detect(noisy, history) == []


def test_a_quiet_hour_doubling_from_one_is_not_a_surge() -> None:
    quiet = [WindowCounts(messages=1, channels=1) for _ in range(4)]
    assert detect(WindowCounts(messages=5, channels=4), quiet) == []


def test_the_same_error_from_several_accounts_is_a_surge() -> None:
    history = monday_mornings()
    fingerprint = error_fingerprint(
        "Export failed: Error 503 upstream timeout (request id 8f3a9c21b7)"
    )
    assert fingerprint is not None
    window = WindowCounts(
        messages=20, channels=8, accounts_by_fingerprint={fingerprint: 4, "other": 1}
    )
    [signal] = detect(window, history)
    assert (signal.kind, signal.key, signal.observed) == ("error", fingerprint, 4)


def test_error_fingerprints_ignore_ids_and_numbers() -> None:
    a = error_fingerprint("hi\nSyncError: job 1234 failed at 0xdeadbeef (req 9c8e7a6b5d)")
    b = error_fingerprint("hello team\nSyncError: job 98 failed at 0x1f (req 11aa22bb33)")
    c = error_fingerprint("AuthError: token expired")
    assert a == b and a != c
    assert error_fingerprint("how do I export a board?") is None


def test_no_history_needs_the_absolute_floor() -> None:
    assert detect(WindowCounts(messages=5, channels=5), []) == []
    [signal] = [s for s in detect(WindowCounts(messages=30, channels=6), []) if s.kind == "volume"]
    assert signal.baseline == 0.0
