"""What a bug report says, whichever tracker it goes to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportContent:
    title: str
    summary: str
    steps: tuple[str, ...] | list[str]
    stack_trace: str | None
    account_name: str
    tier: str
    thread_url: str | None
    expected: str | None = None
    actual: str | None = None
