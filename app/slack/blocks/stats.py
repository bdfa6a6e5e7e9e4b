"""The ``/escalation-stats`` answer."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from app.metrics.activity import ActivitySummary

TIERS = ("enterprise", "pro", "free")


def stats_blocks(summary: ActivitySummary) -> list[Block]:
    tiers = [
        MarkdownTextObject(text=f"*{tier.title()}*\n{summary.conversations_by_tier.get(tier, 0)}")
        for tier in TIERS
    ]
    return [
        HeaderBlock(text=f"Support activity, last {summary.days} days"),
        SectionBlock(
            fields=[
                MarkdownTextObject(text=f"*Conversations*\n{summary.conversations}"),
                MarkdownTextObject(text=f"*Customer messages*\n{summary.customer_messages}"),
                *tiers,
            ]
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Since {summary.since:%Y-%m-%d %H:%M} UTC, by account tier."
                )
            ]
        ),
    ]
