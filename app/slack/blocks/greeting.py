"""The bot's first message in a new customer thread."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from app.conversations.flow import Greeting


def greeting_text(greeting: Greeting) -> str:
    return (
        f"Thanks <@{greeting.customer_user_id}>! I've got your message and I'm looking into it "
        "now. I'll reply right here in this thread."
    )


def greeting_blocks(greeting: Greeting) -> list[Block]:
    return [
        SectionBlock(text=MarkdownTextObject(text=greeting_text(greeting))),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Replies in this thread reach the support team; nothing else is needed."
                )
            ]
        ),
    ]
