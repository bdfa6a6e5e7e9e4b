"""The App Home tab."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from app.metrics.activity import ActivitySummary

_ROLE_LINES = {
    "lead": "You are a support lead: run `/escalation-stats` in any channel for the numbers.",
    "agent": "You are a support agent: escalations for your skills arrive in your team's channel.",
    "member": "The bot answers customers in shared channels and brings in the support team.",
}


def home_view(*, role: str, summary: ActivitySummary) -> View:
    return View(
        type="home",
        blocks=[
            HeaderBlock(text="Support escalations"),
            SectionBlock(
                text=MarkdownTextObject(text=_ROLE_LINES.get(role, _ROLE_LINES["member"]))
            ),
            DividerBlock(),
            SectionBlock(
                fields=[
                    MarkdownTextObject(
                        text=f"*Conversations, last {summary.days} days*\n{summary.conversations}"
                    ),
                    MarkdownTextObject(text=f"*Customer messages*\n{summary.customer_messages}"),
                ]
            ),
            ContextBlock(
                elements=[MarkdownTextObject(text="Updated each time you open this tab.")]
            ),
        ],
    )
