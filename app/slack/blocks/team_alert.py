"""A team alert (churn signal, unclaimed enterprise escalation, integration problem) as Block
Kit: every piece of text is escaped, customer words are quoted, the thread is a link."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from app.slack.mrkdwn import escape, truncate

SECTION_LIMIT = 3000


def _link(url: str) -> str | None:
    """A ``<url|label>`` link, or None for anything but a plain http(s) URL."""
    if not url.startswith(("https://", "http://")) or any(c in url for c in "<>| \n"):
        return None
    return f"<{url}|Open the thread>"


def team_alert_text(payload: dict[str, Any]) -> str:
    """The notification text (also what screen readers and old clients show)."""
    return truncate(escape(str(payload.get("title") or "Alert")), 300)


def team_alert_blocks(payload: dict[str, Any]) -> list[Block]:
    lines = [f"*{team_alert_text(payload)}*"]
    lines += [
        f"• *{escape(str(label))}:* {escape(str(value))}"
        for label, value in payload.get("fields") or []
    ]
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(lines), SECTION_LIMIT)))
    ]
    quote = payload.get("quote")
    if quote:
        quoted = "\n".join(f"> {escape(line)}" for line in str(quote).splitlines() or [""])
        blocks.append(SectionBlock(text=MarkdownTextObject(text=truncate(quoted, SECTION_LIMIT))))
    link = _link(str(payload.get("link") or ""))
    if link:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=link)]))
    return blocks
