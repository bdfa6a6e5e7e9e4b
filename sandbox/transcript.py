"""Plain-text rendering of what the bot posted, for the demo's transcript."""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

INDENT = "      "


_MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")
_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_LINK = re.compile(r"<(https?://[^|>]+)(?:\|([^>]*))?>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")


def render_message(message: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """A message's blocks (or its text when it has none) as readable lines: mentions become
    ``@name``, mrkdwn bold markers are dropped, buttons show as ``[ Label ]``."""
    blocks = message.get("blocks") or []
    lines = list(_render_blocks(blocks)) if blocks else [str(message.get("text") or "")]
    text = _BOLD.sub(r"\1", "\n".join(lines))
    known = names or {}
    text = _MENTION.sub(lambda m: "@" + known.get(m.group(1), m.group(1)), text)
    text = _DATE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)
    return html.unescape(text)


def _render_blocks(blocks: Iterable[Mapping[str, Any]]) -> Iterable[str]:
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            yield f"== {_text(block.get('text'))} =="
        elif kind == "section":
            if block.get("text"):
                yield _text(block.get("text"))
            fields = [_text(f).replace("\n", ": ", 1) for f in block.get("fields") or []]
            if fields:
                yield " | ".join(fields)
            accessory = block.get("accessory")
            if accessory:
                yield _element(accessory)
        elif kind == "context":
            yield "(" + " ".join(_text(e) for e in block.get("elements") or []) + ")"
        elif kind == "actions":
            yield "  ".join(_element(e) for e in block.get("elements") or [])
        elif kind == "divider":
            yield "-" * 40
        elif kind == "rich_text":
            continue
        else:
            yield f"[{kind}]"


def _element(element: Mapping[str, Any]) -> str:
    if element.get("type") == "button":
        return f"[ {_text(element.get('text'))} ]"
    if element.get("type") == "static_select":
        return f"[ {_text(element.get('placeholder'))} ▾ ]"
    return f"[{element.get('type')}]"


def _text(obj: Any) -> str:
    if isinstance(obj, Mapping):
        return str(obj.get("text") or "")
    return str(obj or "")


def indent(text: str, width: int = 96) -> str:
    lines: list[str] = []
    for raw in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(raw, width=width) or [""])
    return "\n".join(INDENT + line for line in lines)
