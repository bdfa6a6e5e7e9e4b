"""The five escalation KPIs as a Block Kit report (``/escalation-stats``, App Home, digests)."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from app.metrics.kpis import KpiReport
from app.metrics.targets import TargetCheck


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _delta(report: KpiReport, kpi: str, *, as_time: bool = False) -> str:
    change = report.delta(kpi)
    if change is None:
        return ""
    if as_time:
        sign = "+" if change >= 0 else "-"
        return f" ({sign}{duration(abs(change))} vs previous)"
    if kpi == "csat_mean":
        return f" ({change:+.2f} vs previous)"
    return f" ({change * 100:+.1f} pts vs previous)"


def _target(check: TargetCheck | None, *, as_time: bool = False, rate: bool = True) -> str:
    if check is None or check.target is None:
        return ""
    shown = (
        duration(check.target) if as_time else pct(check.target) if rate else f"{check.target:.2f}"
    )
    sign = "≤" if check.bound == "max" else "≥"
    mark = {True: "✅", False: "⚠️", None: "·"}[check.met]
    return f"\n{mark} target {sign} {shown}"


def _check(report: KpiReport, kpi: str) -> TargetCheck | None:
    try:
        return report.target(kpi)
    except KeyError:
        return None


def kpi_report_blocks(report: KpiReport, *, title: str) -> list[Block]:
    now = report.current
    blocks: list[Block] = [HeaderBlock(text=title[:150])]
    if now.conversations == 0 and now.escalations == 0:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text="No conversations in this window yet: nothing to measure."
                )
            )
        )
        return blocks
    fields = [
        MarkdownTextObject(
            text=f"*Escalation rate*\n{pct(now.escalation_rate)}{_delta(report, 'escalation_rate')}"
            f"{_target(_check(report, 'escalation_rate'))}"
        ),
        MarkdownTextObject(
            text=f"*Containment*\n{pct(now.containment_rate)}{_delta(report, 'containment_rate')}"
            f"{_target(_check(report, 'containment_rate'))}"
        ),
        MarkdownTextObject(
            text=f"*Resolution time*\nmedian {duration(now.resolution_median_s)}, "
            f"p90 {duration(now.resolution_p90_s)}"
            f"{_delta(report, 'resolution_median_s', as_time=True)}\n"
            f"time to claim {duration(now.claim_median_s)}"
            f"{_target(_check(report, 'resolution_median_s'), as_time=True)}"
        ),
        MarkdownTextObject(
            text=(
                "*Post-escalation CSAT*\n"
                + (
                    f"{now.csat_mean:.2f} / 5, {pct(now.csat_satisfied_share)} rated 4-5"
                    f"{_delta(report, 'csat_mean')}\n{now.csat_responses} responses"
                    if now.csat_mean is not None
                    else "no responses yet"
                )
                + _target(_check(report, "csat_mean"), rate=False)
            )
        ),
        MarkdownTextObject(
            text=f"*Repeat escalations*\n{pct(now.repeat_rate)}{_delta(report, 'repeat_rate')}"
            f"\nsame intent within {report.repeat_days} days"
            f"{_target(_check(report, 'repeat_rate'))}"
        ),
        MarkdownTextObject(
            text=f"*Volume*\n{now.conversations} conversations, {now.escalations} escalations"
        ),
    ]
    blocks.append(SectionBlock(fields=[f for f in fields][:10]))
    worst = [w for w in (report.worst_tier, report.worst_area) if w is not None]
    if worst:
        blocks.append(DividerBlock())
        lines = [
            f"*{w.name}* escalates at {pct(w.escalation_rate)} vs {pct(w.overall_rate)} overall"
            for w in worst
        ]
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text="Worst segments: " + "; ".join(lines)))
        )
    start, end = now.window.start, now.window.end
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"{start:%Y-%m-%d %H:%M} → {end:%Y-%m-%d %H:%M} UTC, compared with the "
                    "window before it. Containment: the customer pressed “That solved it”."
                )
            ]
        )
    )
    return blocks
