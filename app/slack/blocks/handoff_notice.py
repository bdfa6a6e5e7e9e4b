"""The customer-facing message when a person from the support team is brought in."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

TEAM_NAMES = {
    "billing": "billing",
    "technical": "technical support",
    "account_management": "account management",
    "trust": "trust & security",
    "general": "support",
}


def handoff_text(*, customer_user_id: str, skill: str) -> str:
    team = TEAM_NAMES.get(skill, "support")
    return (
        f"Thanks <@{customer_user_id}>, I'm bringing in someone from our {team} team. "
        "They'll see everything we've discussed here, so you won't need to repeat yourself."
    )


def handoff_blocks(*, customer_user_id: str, skill: str) -> list[Block]:
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text=handoff_text(customer_user_id=customer_user_id, skill=skill)
            )
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(text="Reply in this thread to add anything in the meantime.")
            ]
        ),
    ]
