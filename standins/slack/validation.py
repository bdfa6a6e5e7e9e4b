"""Strict checks of message content, Block Kit blocks and views, through ``slack_sdk.models``."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from standins.slack.errors import SlackMethodError, invalid_arguments

MAX_TEXT_LENGTH = 40_000
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_ATTACHMENTS = 100
NO_TEXT_FALLBACK = "This content can't be displayed."
VIEW_TYPES = ("modal", "home")


@dataclass(frozen=True)
class MessageContent:
    """Validated text, blocks (as Slack stores them) and attachments of a message."""

    text: str
    blocks: list[dict[str, Any]] | None
    attachments: list[dict[str, Any]] | None


def _contains_none(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):
        return any(_contains_none(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_none(v) for v in value)
    return False


def _check_block(raw: Any, pointer: str) -> tuple[dict[str, Any] | None, str | None]:
    """The block as ``slack_sdk`` renders it, or the reason it is invalid."""
    if not isinstance(raw, dict):
        return None, f"must provide an object [json-pointer:{pointer}]"
    try:
        parsed = Block.parse(raw)
        if parsed is None:
            return None, f"unsupported type: {raw.get('type')} [json-pointer:{pointer}/type]"
        rendered = parsed.to_dict()
    except Exception as exc:  # any failure of the sdk's constructors means Slack would refuse
        return None, f"{exc} [json-pointer:{pointer}]"
    if _contains_none(rendered):
        return None, f"unsupported element type [json-pointer:{pointer}]"
    return rendered, None


def block_errors(blocks: list[Any], *, max_blocks: int, pointer: str = "/blocks") -> list[str]:
    """Every reason Slack would refuse this list of blocks (empty when valid)."""
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"must be less than {max_blocks + 1} items [json-pointer:{pointer}]")
    seen_ids: set[str] = set()
    for index, raw in enumerate(blocks):
        _, error = _check_block(raw, f"{pointer}/{index}")
        if error:
            errors.append(error)
            continue
        block_id = raw.get("block_id")
        if isinstance(block_id, str):
            if block_id in seen_ids:
                errors.append(f"duplicate block_id [json-pointer:{pointer}/{index}/block_id]")
            seen_ids.add(block_id)
    return errors


def stored_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Blocks as Slack stores them: rendered, each with a ``block_id``."""
    result: list[dict[str, Any]] = []
    for index, raw in enumerate(blocks):
        rendered, _ = _check_block(raw, f"/blocks/{index}")
        block = dict(rendered or raw)
        block.setdefault("block_id", secrets.token_urlsafe(4))
        result.append(block)
    return result


def _invalid_blocks(errors: list[str]) -> SlackMethodError:
    return SlackMethodError(
        "invalid_blocks",
        extra={
            "errors": errors,
            "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]},
        },
    )


def message_content(args: Mapping[str, Any], *, require_content: bool = True) -> MessageContent:
    """Check text/blocks/attachments of a message as ``chat.postMessage`` does."""
    text = args.get("text")
    text = text if isinstance(text, str) else ("" if text is None else str(text))
    markdown_text = args.get("markdown_text")
    blocks = args.get("blocks")
    attachments = args.get("attachments")
    if blocks is not None and blocks != "" and not isinstance(blocks, list):
        raise SlackMethodError("invalid_blocks_format")
    if attachments is not None and attachments != "" and not isinstance(attachments, list):
        raise SlackMethodError("invalid_attachments")
    blocks = blocks or None
    attachments = attachments or None
    if require_content and not (text or blocks or attachments or markdown_text):
        raise SlackMethodError("no_text")
    if len(text) > MAX_TEXT_LENGTH:
        raise SlackMethodError("msg_too_long")
    if attachments is not None and len(attachments) > MAX_ATTACHMENTS:
        raise SlackMethodError("too_many_attachments")
    errors = block_errors(blocks, max_blocks=MAX_MESSAGE_BLOCKS) if blocks else []
    for index, attachment in enumerate(attachments or []):
        if isinstance(attachment, dict) and isinstance(attachment.get("blocks"), list):
            errors += block_errors(
                attachment["blocks"],
                max_blocks=MAX_MESSAGE_BLOCKS,
                pointer=f"/attachments/{index}/blocks",
            )
    if errors:
        raise _invalid_blocks(errors)
    if not text and blocks:
        text = NO_TEXT_FALLBACK
    return MessageContent(
        text=text or (markdown_text if isinstance(markdown_text, str) else ""),
        blocks=stored_blocks(blocks) if blocks else None,
        attachments=attachments,
    )


def view_errors(view: Any, *, expected_type: str | None) -> list[str]:
    """Every reason Slack would refuse this view (empty when valid)."""
    if not isinstance(view, dict):
        return ["must provide an object [json-pointer:/view]"]
    view_type = view.get("type")
    allowed = (expected_type,) if expected_type else VIEW_TYPES
    if view_type not in allowed:
        return [f"must be one of {', '.join(allowed)} [json-pointer:/view/type]"]
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        return ["must provide an array [json-pointer:/view/blocks]"]
    errors = block_errors(blocks, max_blocks=MAX_VIEW_BLOCKS, pointer="/view/blocks")
    if view_type == "modal":
        if not view.get("title"):
            errors.append("missing required field: title [json-pointer:/view/title]")
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
        if has_input and not view.get("submit"):
            errors.append("missing required field: submit [json-pointer:/view/submit]")
    if errors:
        return errors
    try:
        View(**view).to_dict()
    except Exception as exc:  # the sdk's checks of lengths and structure
        return [f"{exc} [json-pointer:/view]"]
    return []


def checked_view(view: Any, *, expected_type: str | None) -> dict[str, Any]:
    """The view when valid; ``invalid_arguments`` naming each problem otherwise."""
    errors = view_errors(view, expected_type=expected_type)
    if errors:
        raise invalid_arguments(*errors)
    assert isinstance(view, dict)
    return view
