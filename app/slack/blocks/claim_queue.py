"""The queue of escalations waiting for a person, in the order agents should claim them."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, HeaderBlock, MarkdownTextObject

from app.routing.claim_order import ClaimQueue
from app.slack.mrkdwn import escape

MAX_ROWS = 10


def claim_queue_blocks(queue: ClaimQueue) -> list[Block]:
    """A header, one line per waiting escalation (claim order), and how many more wait."""
    rows, playbook, total = queue.rows, queue.playbook, queue.total
    title = "Waiting for a person"
    how = (
        f"The {playbook} playbook is running: claim by tier, then by age."
        if playbook
        else "Oldest first."
    )
    lines = [
        f"{position}. #{row.escalation_id} · *{escape(row.account)}* ({row.tier}) · "
        f"{escape(row.skill)} · waiting {row.minutes_waiting} min"
        for position, row in enumerate(rows[:MAX_ROWS], start=1)
    ] or ["Nobody is waiting."]
    if total > len(rows[:MAX_ROWS]):
        lines.append(f"…and {total - len(rows[:MAX_ROWS])} more.")
    return [
        HeaderBlock(text=title),
        ContextBlock(elements=[MarkdownTextObject(text=how)]),
        ContextBlock(elements=[MarkdownTextObject(text="\n".join(lines)[:2000])]),
    ]
