"""The modal an agent fills in to resolve an escalation: why it needed a human, and a note."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from app.escalations.card import RESOLUTION_TAGS
from app.slack.blocks.handoff_card import fit_escaped

RESOLVE_MODAL_CALLBACK = "resolve_escalation_modal"
TAG_BLOCK = TAG_ACTION = "tag"
NOTE_BLOCK = NOTE_ACTION = "note"
BUG_BLOCK = BUG_ACTION = "bug"
BUG_VALUE = "file_bug_report"
NOTE_LIMIT = 2000
TAG_ERROR = "Pick why it needed a human"


def resolve_modal(
    escalation_id: int,
    *,
    account_name: str,
    bug_reports: bool = False,
    possible_bug: bool = False,
    bug_reported: bool = False,
) -> View:
    """The modal; ``private_metadata`` carries the escalation id. With bug reports configured it
    has a "bug" flag, ticked already when the conversation shows an error."""
    extra: list[Block] = []
    if bug_reports and not bug_reported:
        option = Option(value=BUG_VALUE, text="It's a bug: file a bug report")
        extra.append(
            InputBlock(
                block_id=BUG_BLOCK,
                label="Bug",
                optional=True,
                element=CheckboxesElement(
                    action_id=BUG_ACTION,
                    options=[option],
                    initial_options=[option] if possible_bug else None,
                ),
            )
        )
    return View(
        type="modal",
        callback_id=RESOLVE_MODAL_CALLBACK,
        private_metadata=str(escalation_id),
        title="Resolve escalation",
        submit="Resolve",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"Resolving the escalation for *{fit_escaped(account_name, 200)}*."
                )
            ),
            InputBlock(
                block_id=TAG_BLOCK,
                label="Why did it need a human?",
                element=RadioButtonsElement(
                    action_id=TAG_ACTION,
                    options=[
                        Option(value=key, text=label) for key, label in RESOLUTION_TAGS.items()
                    ],
                ),
            ),
            InputBlock(
                block_id=NOTE_BLOCK,
                label="Note",
                optional=True,
                element=PlainTextInputElement(
                    action_id=NOTE_ACTION,
                    multiline=True,
                    max_length=NOTE_LIMIT,
                    placeholder="What did you do? What would have let the bot answer?",
                ),
            ),
            *extra,
        ],
    )


def parse_resolve_submission(values: dict[str, Any]) -> tuple[str | None, str]:
    """``(tag, note)`` from ``view.state.values``; a missing tag is None, a missing note ``""``."""
    selected = _action(values, TAG_BLOCK, TAG_ACTION).get("selected_option")
    tag = selected.get("value") if isinstance(selected, dict) else None
    note = _action(values, NOTE_BLOCK, NOTE_ACTION).get("value")
    return (
        tag if isinstance(tag, str) and tag else None,
        note.strip() if isinstance(note, str) else "",
    )


def parse_bug_flag(values: dict[str, Any]) -> bool:
    """Whether the "bug" flag is ticked."""
    selected = _action(values, BUG_BLOCK, BUG_ACTION).get("selected_options")
    return isinstance(selected, list) and any(
        isinstance(o, dict) and o.get("value") == BUG_VALUE for o in selected
    )


def resolve_errors(tag: str | None) -> dict[str, str]:
    """The ``errors`` for ``response_action: errors`` when the tag is missing or unknown."""
    return {} if tag in RESOLUTION_TAGS else {TAG_BLOCK: TAG_ERROR}


def _action(values: dict[str, Any], block_id: str, action_id: str) -> dict[str, Any]:
    block = values.get(block_id) if isinstance(values, dict) else None
    action = block.get(action_id) if isinstance(block, dict) else None
    return action if isinstance(action, dict) else {}
