"""The satisfaction survey in the customer's thread, its thank-you, and the comment modal."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

RATING_ACTION = "csat_rating"
COMMENT_ACTION = "csat_comment"
COMMENT_MODAL_CALLBACK = "csat_comment_modal"

ESCALATION_QUESTION = "How was the hand-off to our team? Tap a number (5 is best)."
AI_QUESTION = "Was the bot's answer helpful?"
AI_CHOICES = ((5, "👍 Helpful"), (3, "😐 Partly"), (1, "👎 Not really"))


def survey_blocks(*, kind: str, rating_id: int) -> list[Block]:
    if kind == "ai":
        buttons = [
            ButtonElement(
                text=label, action_id=f"{RATING_ACTION}_{value}", value=f"{rating_id}:{value}"
            )
            for value, label in AI_CHOICES
        ]
        question = AI_QUESTION
    else:
        buttons = [
            ButtonElement(
                text=str(value), action_id=f"{RATING_ACTION}_{value}", value=f"{rating_id}:{value}"
            )
            for value in range(1, 6)
        ]
        question = ESCALATION_QUESTION
    return [
        SectionBlock(text=MarkdownTextObject(text=question)),
        ActionsBlock(block_id=f"csat:{rating_id}", elements=buttons),
    ]


def survey_text(kind: str) -> str:
    return AI_QUESTION if kind == "ai" else ESCALATION_QUESTION


def thanks_blocks(*, rating_id: int, rating: int, kind: str) -> list[Block]:
    shown = dict(AI_CHOICES).get(rating, str(rating)) if kind == "ai" else f"{rating}/5"
    return [
        SectionBlock(
            text=MarkdownTextObject(text=f"Thanks for your feedback! You rated it {shown}.")
        ),
        ActionsBlock(
            block_id=f"csat_comment:{rating_id}",
            elements=[
                ButtonElement(text="Add a comment", action_id=COMMENT_ACTION, value=str(rating_id))
            ],
        ),
        ContextBlock(elements=[MarkdownTextObject(text="Changed your mind? Reply here anytime.")]),
    ]


def comment_modal(rating_id: int) -> View:
    return View(
        type="modal",
        callback_id=COMMENT_MODAL_CALLBACK,
        private_metadata=str(rating_id),
        title="Your feedback",
        submit="Send",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id="comment",
                label="What could we have done better?",
                element=PlainTextInputElement(action_id="comment", multiline=True, max_length=2000),
            )
        ],
    )


def parse_rating_value(value: str) -> tuple[int, int] | None:
    """``"<rating id>:<rating>"`` → (id, rating)."""
    head, _, tail = value.partition(":")
    if not (head.isdigit() and tail.isdigit()):
        return None
    return int(head), int(tail)
