"""Messages in the customer's thread around a handoff, from text the product already wrote.

The texts come from templates (localised elsewhere) and may hold ``<@U…>`` mentions, so they are
not escaped here, only cut to Slack's limits without splitting a mention or an entity.
"""

from __future__ import annotations

import re

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from app.slack.mrkdwn import truncate

FOLLOW_UP_LATER_ACTION = "follow_up_later"
FOLLOW_UP_BY_EMAIL_ACTION = "follow_up_by_email"
FOLLOW_UP_BLOCK = "follow_up"
DEFAULT_FOLLOW_UP_LABEL = "Follow up later"
SECTION_LIMIT = 3000
CONTEXT_LIMIT = 2000
BUTTON_LIMIT = 75

_PARTIAL_ENTITY = re.compile(r"&[#A-Za-z0-9]*$")


def transition_blocks(
    *,
    text: str,
    wait_text: str | None,
    conversation_id: int,
    follow_up_label: str,
    offer_follow_up: bool = True,
    prominent: bool = False,
) -> list[Block]:
    """The warm handoff message, the wait estimate, and a "follow up later" button if offered
    (the primary action while a surge playbook runs)."""
    blocks: list[Block] = [_section(text)]
    if wait_text and wait_text.strip():
        blocks.append(_context(wait_text))
    if offer_follow_up:
        label = follow_up_label.strip() or DEFAULT_FOLLOW_UP_LABEL
        style = "primary" if prominent else None
        blocks.append(_button(label, FOLLOW_UP_LATER_ACTION, conversation_id, style=style))
    return blocks


def follow_up_chosen_blocks(
    *, text: str, note: str, email_label: str | None = None, conversation_id: int = 0
) -> list[Block]:
    """The handoff message once the customer chose a follow-up: the button becomes a note, with
    "Email me instead" when email follow-ups are set up."""
    blocks: list[Block] = [_section(text), _context(note)]
    if email_label:
        blocks.append(_button(email_label, FOLLOW_UP_BY_EMAIL_ACTION, conversation_id))
    return blocks


def _button(
    label: str, action_id: str, conversation_id: int, *, style: str | None = None
) -> ActionsBlock:
    return ActionsBlock(
        block_id=FOLLOW_UP_BLOCK,
        elements=[
            ButtonElement(
                text=truncate(label, BUTTON_LIMIT),
                action_id=action_id,
                value=str(conversation_id),
                style=style,
            )
        ],
    )


def plain_message_blocks(text: str) -> list[Block]:
    """A one-section message (an agent joined, the conversation closed)."""
    return [_section(text)]


def fit_markup(text: str, limit: int, *, marker: str = "…") -> str:
    """Cut mrkdwn to ``limit`` characters, dropping a ``<…>`` or ``&…;`` the cut would split."""
    if len(text) <= limit:
        return text
    kept = text[: max(0, limit - len(marker))]
    if kept.rfind("<") > kept.rfind(">"):
        kept = kept[: kept.rfind("<")]
    kept = _PARTIAL_ENTITY.sub("", kept)
    return kept.rstrip() + marker


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=fit_markup(text, SECTION_LIMIT)))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=fit_markup(text, CONTEXT_LIMIT))])
