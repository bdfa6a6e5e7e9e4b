"""The knowledge-gap messages: the weekly digest, the hot-topic alert, article drafts, and the
same messages once a topic's article is written.

Customer questions and agents' notes are data: always escaped and cut to fit. A digest never
has more than :data:`MAX_BLOCKS` blocks; the topics that do not fit are summarised in one line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from app.knowledge_gaps.queue import (
    GapDigest,
    GapEntry,
    IntentGroup,
    TopicCount,
    TopicGroup,
    topic_label,
)
from app.slack.blocks.handoff_card import fit_escaped, safe_url, slack_date
from app.slack.mrkdwn import escape, truncate

ARTICLE_WRITTEN_ACTION = "gap_article_written"

MAX_BLOCKS = 50
MAX_EXAMPLES = 3
MAX_DRAFT_BLOCKS = 12
SECTION_LIMIT = 3000
CONTEXT_LIMIT = 2000
HEADER_LIMIT = 150
DONE_RESERVE = 200  # room left in a topic's section for the "article written" line
QUESTION_CHARS = 150
NOTE_CHARS = 300
LABEL_CHARS = 120
_BUTTON_VALUE_LIMIT = 2000
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")
_CODE_FENCE = "```"
_FENCE_STAND_IN = "'''"  # a fence inside a draft would end its code block


@dataclass(frozen=True)
class _Plan:
    """Which intents and topics a digest shows within the block limit, and what is left."""

    shown: tuple[tuple[IntentGroup, tuple[TopicGroup, ...]], ...]
    hidden_topics: int
    hidden_gaps: int


def _plan(digest: GapDigest) -> _Plan:
    budget = MAX_BLOCKS - 3  # header, summary, and the line for what does not fit
    used = 0
    shown: list[tuple[IntentGroup, tuple[TopicGroup, ...]]] = []
    hidden_topics = hidden_gaps = 0
    for group in digest.intents:
        topics: list[TopicGroup] = []
        for topic in group.topics:
            needed = 1 if topics else 2  # the intent's heading comes with its first topic
            if hidden_topics or used + needed > budget:
                hidden_topics += 1
                hidden_gaps += topic.count
                continue
            used += needed
            topics.append(topic)
        if topics:
            shown.append((group, tuple(topics)))
    return _Plan(tuple(shown), hidden_topics, hidden_gaps)


def shown_threads(digest: GapDigest) -> list[tuple[str, str]]:
    """The customers' threads (channel, thread ts) the digest links to: the ones to look up."""
    threads: dict[tuple[str, str], None] = {}
    for _group, topics in _plan(digest).shown:
        for topic in topics:
            for gap in topic.gaps[:MAX_EXAMPLES]:
                threads[(gap.channel_id, gap.thread_ts)] = None
    return list(threads)


def gap_digest_text(digest: GapDigest) -> str:
    """The notification text, e.g. ``12 knowledge gaps in 4 topics to write articles for``."""
    return (
        f"{_count(digest.total, 'knowledge gap')} in {_count(len(digest.topics), 'topic')} "
        "to write articles for"
    )


def gap_digest_blocks(
    digest: GapDigest, *, thread_links: Mapping[tuple[str, str], str]
) -> list[Block]:
    """The weekly digest: by intent, then topic (count, example questions with their threads
    and the agent's note), each topic with a "Mark article written" button."""
    plan = _plan(digest)
    summary = (
        f"*{_count(digest.total, 'escalation')}* resolved as AI knowledge gaps since "
        f"{slack_date(digest.since)}, in *{_count(len(digest.topics), 'topic')}*. "
        "Mark a topic once its article is published."
    )
    if digest.backlog:
        summary += f"\n_{_count(digest.backlog, 'older gap')} still wait for an article._"
    blocks: list[Block] = [
        HeaderBlock(text=truncate("Knowledge gaps: articles to write", HEADER_LIMIT)),
        _section(summary),
    ]
    for group, topics in plan.shown:
        heading = (
            f"*{fit_escaped(_humanize(group.intent), LABEL_CHARS)}* · "
            f"{_count(group.count, 'gap')} in {_count(len(group.topics), 'topic')}"
        )
        blocks.append(_section(heading))
        blocks.extend(_topic_section(topic, thread_links) for topic in topics)
    if plan.hidden_topics:
        blocks.append(
            _context(
                f"…and {_count(plan.hidden_topics, 'more topic')} "
                f"({_count(plan.hidden_gaps, 'gap')}) not shown here."
            )
        )
    return blocks


def gap_flag_text(flag: TopicCount, *, label: str, window_days: int) -> str:
    """``5 knowledge gaps on export invoices quickbooks in 7 days``, escaped."""
    return fit_escaped(
        f"{_count(flag.count, 'knowledge gap')} on {label} in {window_days} days", SECTION_LIMIT
    )


def gap_flag_blocks(
    flag: TopicCount,
    *,
    examples: Sequence[GapEntry],
    thread_links: Mapping[tuple[str, str], str],
    window_days: int,
) -> list[Block]:
    """The alert for a hot topic, posted at once, with the latest questions and the button."""
    label = flag_label(flag, examples)
    headline = (
        f":rotating_light: *{_count(flag.count, 'knowledge gap')}* on "
        f"*{fit_escaped(label, LABEL_CHARS)}* "
        f"({fit_escaped(_humanize(flag.intent), LABEL_CHARS)}) in {window_days} days. "
        "The knowledge base needs an article on it."
    )
    blocks: list[Block] = [
        SectionBlock(text=_mrkdwn(headline), accessory=_article_button(flag.topic))
    ]
    lines = _example_lines(examples, thread_links, total=flag.count)
    if lines:
        blocks.append(_section(_fit_lines(lines, SECTION_LIMIT)))
    return blocks


def flag_label(flag: TopicCount, examples: Sequence[GapEntry]) -> str:
    return topic_label(flag.topic, (gap.question for gap in examples))


def gap_marked_blocks(
    message_blocks: Sequence[Mapping[str, Any]], *, topic: str, user_id: str, at: datetime
) -> list[Block]:
    """The message's blocks (as Slack sent them back) with the topic's button replaced by who
    marked its article written, and when."""
    done = f":white_check_mark: Article written by {_mention(user_id)} · {slack_date(at)}"
    blocks: list[Block] = []
    for raw in message_blocks:
        block = dict(raw)
        if _is_article_button(block.get("accessory"), topic):
            block.pop("accessory")
            text = dict(block.get("text") or {"type": "mrkdwn", "text": ""})
            kept = truncate(str(text.get("text") or ""), SECTION_LIMIT - len(done) - 1)
            text.update(type="mrkdwn", text=f"{kept}\n{done}".strip())
            text.pop("emoji", None)
            block["text"] = text
        parsed = Block.parse(block)
        if parsed is not None:
            blocks.append(parsed)
    return blocks


def gap_draft_text(label: str) -> str:
    return fit_escaped(f"Article draft: {label}", SECTION_LIMIT)


def gap_draft_blocks(*, label: str, markdown: str) -> list[Block]:
    """A draft article as code blocks (cut at :data:`MAX_DRAFT_BLOCKS`), under a title."""
    blocks: list[Block] = [
        _section(f"*Article draft: {fit_escaped(label, LABEL_CHARS)}* (copy, edit, publish)")
    ]
    budget = SECTION_LIMIT - 2 * len(_CODE_FENCE) - 2
    chunks = _chunks(markdown, budget)
    for chunk in chunks[: MAX_DRAFT_BLOCKS - 2]:
        blocks.append(_section(f"{_CODE_FENCE}\n{chunk}\n{_CODE_FENCE}"))
    if len(chunks) > MAX_DRAFT_BLOCKS - 2:
        blocks.append(_context("_The draft is longer than a message: the rest was cut._"))
    return blocks


def _chunks(text: str, limit: int) -> list[str]:
    """Escaped ``text`` in pieces of at most ``limit`` characters, split between lines."""
    chunks: list[str] = []
    current = ""
    for line in text.replace(_CODE_FENCE, _FENCE_STAND_IN).splitlines():
        piece = fit_escaped(line, limit)
        if current and len(current) + 1 + len(piece) > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{piece}" if current else piece
    if current.strip():
        chunks.append(current)
    return chunks


def _topic_section(topic: TopicGroup, thread_links: Mapping[tuple[str, str], str]) -> Block:
    title = f"*{fit_escaped(topic.label, LABEL_CHARS)}* · {_count(topic.count, 'gap')}"
    lines = [title, *_example_lines(topic.gaps, thread_links, total=topic.count)]
    return SectionBlock(
        text=_mrkdwn(_fit_lines(lines, SECTION_LIMIT - DONE_RESERVE)),
        accessory=_article_button(topic.topic),
    )


def _example_lines(
    gaps: Sequence[GapEntry], thread_links: Mapping[tuple[str, str], str], *, total: int
) -> list[str]:
    lines: list[str] = []
    for gap in gaps[:MAX_EXAMPLES]:
        question = fit_escaped(_one_line(gap.question), QUESTION_CHARS) or "_(no question text)_"
        link = thread_links.get((gap.channel_id, gap.thread_ts))
        line = f"• “{question}”"
        if link and safe_url(link):
            line += f" · <{link}|thread>"
        if gap.resolution_note and gap.resolution_note.strip():
            line += f"\n      ↳ Agent: {fit_escaped(_one_line(gap.resolution_note), NOTE_CHARS)}"
        lines.append(line)
    more = total - min(len(gaps), MAX_EXAMPLES)
    if more > 0:
        lines.append(f"_…and {more} more_")
    return lines


def _fit_lines(lines: Sequence[str], limit: int) -> str:
    """Whole lines while they fit in ``limit`` characters."""
    text = ""
    for line in lines:
        candidate = f"{text}\n{line}" if text else line
        if len(candidate) > limit:
            break
        text = candidate
    if text or not lines:
        return text
    return truncate(lines[0], limit)


def _article_button(topic: str) -> ButtonElement:
    return ButtonElement(
        text="Mark article written",
        action_id=ARTICLE_WRITTEN_ACTION,
        value=topic[:_BUTTON_VALUE_LIMIT],
    )


def _is_article_button(element: object, topic: str) -> bool:
    return (
        isinstance(element, Mapping)
        and element.get("type") == "button"
        and element.get("action_id") == ARTICLE_WRITTEN_ACTION
        and element.get("value") == topic
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _humanize(intent: str) -> str:
    return intent.replace("_", " ").capitalize()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _mention(user_id: str) -> str:
    return f"<@{user_id}>" if _USER_ID.match(user_id) else escape(user_id[:40])


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=_mrkdwn(truncate(text, SECTION_LIMIT)))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[_mrkdwn(truncate(text, CONTEXT_LIMIT))])


def _mrkdwn(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)
