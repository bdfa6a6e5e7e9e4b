"""Latency, throughput and memory of the offline triage backend on one core.

Run: ``python benchmarks/triage_offline.py [--rounds N]`` from the repository root.
Messages come from the labelled evaluation set plus a few edge cases (empty, emoji-only,
a 40,000-character paste, a stack trace). Start-up is the time from importing the backend
to its models being loaded (the shipped intent model, lingua, VADER), as a process pays it.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.triage.evaluation import load_labelled

EDGE_CASES = (
    "",
    "🙏🙏🙏",
    "the export fails again " * 1800,
    'getting this:\n```\nTraceback (most recent call last):\n  File "x.py", line 3\n'
    "KeyError: 'rows'\n```",
)


def _pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        cores = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cores[0]})


def _rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="passes over the messages")
    args = parser.parse_args(argv)

    _pin_to_one_core()
    messages = [row.text for row in load_labelled()] + list(EDGE_CASES)
    started = time.perf_counter()
    from app.triage.offline import OfflineTriageBackend

    backend = OfflineTriageBackend()
    backend.warm_up()
    start_up_s = time.perf_counter() - started
    for text in messages:
        backend.analyse(text)
    warm_up_s = time.perf_counter() - started
    model = "shipped file" if backend.classifier.pipeline is None else "trained at start-up"

    timings: list[float] = []
    total_started = time.perf_counter()
    for _ in range(args.rounds):
        for text in messages:
            started = time.perf_counter()
            backend.analyse(text)
            timings.append((time.perf_counter() - started) * 1000)
    total_s = time.perf_counter() - total_started

    timings.sort()
    p99 = timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))]
    print(f"messages analysed: {len(timings)} ({len(messages)} distinct x {args.rounds})")
    print(f"intent model: {model}, {backend.classifier.feature_count} features")
    print(f"start-up: {start_up_s:.2f} s")
    print(f"warm-up: {warm_up_s:.2f} s (start-up and a first pass over the messages)")
    print(f"median: {statistics.median(timings):.2f} ms/message")
    print(f"p99: {p99:.2f} ms/message")
    print(f"max: {timings[-1]:.2f} ms/message")
    print(f"throughput: {len(timings) / total_s:.0f} messages/s (one core)")
    print(f"peak RSS: {_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
