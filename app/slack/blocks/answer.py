"""The bot's answer in a customer thread: the knowledge base excerpt, its sources, two buttons."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from app.knowledge.answer import Answer
from app.slack.mrkdwn import escape, truncate

SOLVED_ACTION = "answer_solved"
NEEDS_HELP_ACTION = "answer_needs_help"
SECTION_LIMIT = 3000
CONTEXT_LIMIT = 2000


def answer_text(answer: Answer) -> str:
    """The plain text of the answer (notification text and the stored record)."""
    sources = "; ".join(f"{c.title} ({c.url})" for c in answer.citations)
    return f"{answer.text}\n\nSources: {sources}" if sources else answer.text


def answer_blocks(answer: Answer, *, conversation_id: int) -> list[Block]:
    sources = " · ".join(
        f"<{c.url}|{escape(truncate(c.title, 120))}>" for c in answer.citations if _safe_url(c.url)
    )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=truncate(escape(answer.text), SECTION_LIMIT)))
    ]
    if sources:
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=truncate(f"Sources: {sources}", CONTEXT_LIMIT))]
            )
        )
    blocks.append(
        ActionsBlock(
            block_id="answer_feedback",
            elements=[
                ButtonElement(
                    text="That solved it",
                    action_id=SOLVED_ACTION,
                    value=str(conversation_id),
                    style="primary",
                ),
                ButtonElement(
                    text="I still need help",
                    action_id=NEEDS_HELP_ACTION,
                    value=str(conversation_id),
                ),
            ],
        )
    )
    return blocks


def answer_closed_blocks(posted_blocks: list[dict[str, Any]], *, note: str) -> list[Block]:
    """The answer once the customer chose: its text and sources, the buttons replaced by a note."""
    kept = [Block.parse(b) for b in posted_blocks if b.get("type") in ("section", "context")]
    return [
        *(block for block in kept if block is not None),
        ContextBlock(elements=[MarkdownTextObject(text=truncate(note, CONTEXT_LIMIT))]),
    ]


def _safe_url(url: str) -> bool:
    return url.startswith(("https://", "http://")) and not any(ch in url for ch in "<>| \n")
