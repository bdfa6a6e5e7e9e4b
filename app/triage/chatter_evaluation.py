"""How well chatter is told apart from requests: the chatter part of ``escalation-bot eval``.

A chatter row the classifier recognises gets no reply and no card; one it misses goes through
triage and may escalate (``escalates`` says whether it would). A request taken for chatter is
the worse error: the customer is ignored. Pure: rows and a predicate in, a report out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from app.jsonl import json_objects
from app.triage.chatter import chatter_kind

CHATTER_HELDOUT_PATH = Path(__file__).resolve().parent / "data" / "chatter_heldout.jsonl"


@dataclass(frozen=True, slots=True)
class ChatterRow:
    text: str
    chatter: bool
    language: str | None = None


@dataclass(frozen=True, slots=True)
class ChatterReport:
    chatter_total: int
    chatter_recognised: int
    chatter_escalated: int  # missed, and triage would hand it to a person
    request_total: int
    requests_ignored: int  # requests taken for chatter

    @property
    def chatter_escalation_rate(self) -> float:
        return self.chatter_escalated / self.chatter_total if self.chatter_total else 0.0

    @property
    def request_ignored_rate(self) -> float:
        return self.requests_ignored / self.request_total if self.request_total else 0.0


def load_chatter(path: Path = CHATTER_HELDOUT_PATH) -> tuple[ChatterRow, ...]:
    """Rows of a JSONL file of ``{"text", "chatter": bool, "language"}``."""
    rows = []
    for number, record in json_objects(path):
        if not isinstance(record.get("text"), str) or not isinstance(record.get("chatter"), bool):
            raise ValueError(f"{path}:{number}: expected a 'text' string and a 'chatter' boolean")
        rows.append(ChatterRow(record["text"], record["chatter"], record.get("language")))
    return tuple(rows)


def evaluate_chatter(
    rows: Iterable[ChatterRow], *, escalates: Callable[[str], bool]
) -> ChatterReport:
    counts = dict.fromkeys(("chatter", "recognised", "escalated", "requests", "ignored"), 0)
    for row in rows:
        recognised = chatter_kind(row.text) is not None
        if row.chatter:
            counts["chatter"] += 1
            counts["recognised"] += recognised
            counts["escalated"] += not recognised and escalates(row.text)
        else:
            counts["requests"] += 1
            counts["ignored"] += recognised
    return ChatterReport(
        chatter_total=counts["chatter"],
        chatter_recognised=counts["recognised"],
        chatter_escalated=counts["escalated"],
        request_total=counts["requests"],
        requests_ignored=counts["ignored"],
    )


def render_chatter_report(name: str, report: ChatterReport) -> str:
    return "\n".join(
        [
            f"chatter: {name}",
            f"  chatter recognised (no reply, no card)  {report.chatter_recognised}/"
            f"{report.chatter_total}",
            f"  chatter escalated                       {report.chatter_escalation_rate:.1%} "
            f"({report.chatter_escalated}/{report.chatter_total})",
            f"  requests taken for chatter              {report.request_ignored_rate:.1%} "
            f"({report.requests_ignored}/{report.request_total})",
        ]
    )
