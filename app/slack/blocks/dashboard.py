"""The support lead's dashboard on the App Home tab: top escalation intents, open escalations by
age, the knowledge-gap queue and the escalation-rate trend chart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    ImageBlock,
    MarkdownTextObject,
    SectionBlock,
)

from app.slack.mrkdwn import escape, truncate

MAX_BLOCKS = 40
MAX_FIELDS = 10  # a section block shows at most 10 fields
MAX_FIELD_CHARS = 2000
MAX_ALT_TEXT = 2000
DEFAULT_DAYS = 30
#: The image block's id, so that a caller can find (and drop) the chart.
CHART_BLOCK_ID = "lead_dashboard_trend_chart"
CHART_UNAVAILABLE = "Trend chart unavailable right now"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _field(label: str, value: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=truncate(f"*{escape(label)}*\n{value}", MAX_FIELD_CHARS))


def _top_intents_section(top_intents: Sequence[tuple[str, int]], days: int) -> SectionBlock:
    heading = f"*Top escalation intents*, last {days} days"
    if not top_intents:
        return SectionBlock(
            text=MarkdownTextObject(text=f"{heading}\nNo escalations in this period.")
        )
    fields = [
        _field(intent, _plural(count, "escalation")) for intent, count in top_intents[:MAX_FIELDS]
    ]
    return SectionBlock(text=MarkdownTextObject(text=heading), fields=fields)


def _by_age_section(by_age: Sequence[tuple[str, int]]) -> SectionBlock:
    total = sum(count for _, count in by_age)
    heading = f"*Open escalations by age* ({total} pending or claimed)"
    fields = [_field(bucket, str(count)) for bucket, count in by_age[:MAX_FIELDS]]
    return SectionBlock(text=MarkdownTextObject(text=heading), fields=fields or None)


def _chart_description(days: int) -> str:
    return f"Line chart of the daily escalation rate over the last {days} days (UTC)"


def trend_alt_text(points: Sequence[tuple[date, float | None]], *, days: int) -> str:
    """A plain-text description of the daily escalation-rate trend, for the image's alt text."""
    measured = [(day, value) for day, value in points if value is not None]
    head = _chart_description(days)
    if not measured:
        return f"{head}: no conversations in this period."
    (first_day, first), (last_day, last) = measured[0], measured[-1]
    peak_day, peak = max(measured, key=lambda point: point[1])
    average = sum(value for _, value in measured) / len(measured)
    text = (
        f"{head}: {first:.1f}% on {first_day:%b %d}, {last:.1f}% on {last_day:%b %d}; "
        f"highest {peak:.1f}% on {peak_day:%b %d}; average {average:.1f}% over "
        f"{_plural(len(measured), 'day')} with conversations."
    )
    return text[:MAX_ALT_TEXT]


def dashboard_blocks(
    *,
    top_intents: Sequence[tuple[str, int]],
    by_age: Sequence[tuple[str, int]],
    gap_queue_size: int,
    chart: str | None,
    days: int = DEFAULT_DAYS,
    chart_alt_text: str | None = None,
) -> list[Block]:
    """The dashboard blocks (at most :data:`MAX_BLOCKS`). ``chart`` is the uploaded trend
    chart's Slack file id (see :func:`app.slack.chart_upload.upload_chart`); without it a
    context line says the chart is unavailable."""
    blocks: list[Block] = [
        HeaderBlock(text="Escalation dashboard"),
        _top_intents_section(top_intents, days),
        _by_age_section(by_age),
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*Knowledge-gap queue*: {_plural(gap_queue_size, 'gap')} "
                "waiting for an article"
            )
        ),
    ]
    if chart is not None:
        blocks.append(
            ImageBlock(
                slack_file={"id": chart},
                alt_text=(chart_alt_text or _chart_description(days))[:MAX_ALT_TEXT],
                title=f"Escalation rate per day, last {days} days (UTC)",
                block_id=CHART_BLOCK_ID,
            )
        )
    else:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=CHART_UNAVAILABLE)]))
    return blocks[:MAX_BLOCKS]


def without_chart(blocks: Sequence[Block]) -> list[Block]:
    """``blocks`` with the trend chart replaced by the "unavailable" line (for a view that Slack
    refused because the file is not ready or not visible)."""
    return [
        ContextBlock(elements=[MarkdownTextObject(text=CHART_UNAVAILABLE)])
        if block.block_id == CHART_BLOCK_ID
        else block
        for block in blocks
    ]
