"""First drafts of the knowledge-base article a topic lacks.

:class:`ArticleDrafter` is the seam: :class:`OfflineDrafter` builds a Markdown skeleton from
the customers' questions and the agents' resolution notes, with no network; a drafter backed by
a language model can be plugged in behind the same protocol. A draft is plain Markdown in the
knowledge base's article format (front matter with ``title`` and ``url``), for a person to
finish: it never contains Slack markup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from app.knowledge.index import tokenize
from app.knowledge_gaps.queue import TopicGroup, plain_text, topic_label, topic_words

MAX_QUESTIONS = 5
MAX_NOTES = 5
MAX_STEPS = 10
MAX_TITLE_CHARS = 80
MAX_SLUG_CHARS = 60
MAX_QUOTE_CHARS = 500
URL_PLACEHOLDER = "https://help.example.com/articles/{slug}"

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+(?P<item>\S.*)$")
_TITLE_NOISE = re.compile(r"[<>`*_\[\]#|\\]+")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<])")


@dataclass(frozen=True)
class DraftRequest:
    """What a drafter gets: the topic, its intent, the customers' questions (newest first) and
    the agents' resolution notes."""

    topic: str
    intent: str
    questions: tuple[str, ...]
    notes: tuple[str, ...]

    @classmethod
    def of(cls, group: TopicGroup) -> DraftRequest:
        notes = (gap.resolution_note for gap in group.gaps)
        return cls(
            topic=group.topic,
            intent=group.intent,
            questions=tuple(gap.question for gap in group.gaps),
            notes=tuple(dict.fromkeys(note.strip() for note in notes if note and note.strip())),
        )


class ArticleDrafter(Protocol):
    """Writes the first draft of an article (Markdown with front matter)."""

    def draft(self, request: DraftRequest) -> str: ...


class OfflineDrafter:
    """A Markdown skeleton: front matter (title, placeholder url, tags), the questions as asked,
    the agents' notes as the seed of the answer, and steps taken from the notes."""

    def draft(self, request: DraftRequest) -> str:
        questions = _distinct(plain_text(q) for q in request.questions)[:MAX_QUESTIONS]
        notes = _distinct(plain_text(n) for n in request.notes)[:MAX_NOTES]
        title = draft_title(questions, request)
        tags = [
            request.intent,
            *(topic_label(request.topic, questions).split() if questions else ()),
        ]
        lines = [
            "---",
            f"title: {json.dumps(title, ensure_ascii=False)}",
            f"url: {URL_PLACEHOLDER.format(slug=slugify(title))}  # TODO: the published address",
            f"tags: {json.dumps(tags, ensure_ascii=False)}",
            "---",
            f"<!-- Draft from {len(request.questions)} escalation(s) on topic "
            f"{_comment_safe(request.topic)}. Review every line before publishing. -->",
            "",
            "## The question",
            "",
            "Customers asked:",
            "",
            *(_quote_item(q) for q in questions),
            *([] if questions else ["- TODO: the customer's question"]),
            "",
            "## Answer",
            "",
            "TODO: one or two sentences that answer the question directly.",
            "",
        ]
        if notes:
            lines += ["What the agents told these customers (the seed of the answer):", ""]
            for note in notes:
                lines += [*(f"> {line}" if line else ">" for line in _cut(note).splitlines()), ""]
        lines += ["## Steps", "", *_steps(notes), ""]
        return "\n".join(lines)


def draft_title(questions: Sequence[str], request: DraftRequest) -> str:
    """The first sentence of the most recent question, without markup characters or its final
    punctuation."""
    for question in questions:
        sentence = _SENTENCE_END.split(question.replace("\n", " "), maxsplit=1)[0]
        sentence = " ".join(_TITLE_NOISE.sub(" ", sentence).split()).rstrip("?!.:;, ")
        if tokenize(sentence):
            title = sentence[:1].upper() + sentence[1:]
            return title if len(title) <= MAX_TITLE_CHARS else title[:MAX_TITLE_CHARS].rstrip()
    words = " ".join(topic_words(request.topic)) or "general"
    return f"{request.intent.replace('_', ' ').capitalize()}: {words}"[:MAX_TITLE_CHARS]


def slugify(title: str) -> str:
    """``Export invoices to QuickBooks`` → ``export-invoices-to-quickbooks``."""
    slug = ""
    for token in tokenize(title):
        candidate = f"{slug}-{token}" if slug else token
        if len(candidate) > MAX_SLUG_CHARS:
            break
        slug = candidate
    return slug or "draft"


def _steps(notes: Sequence[str]) -> list[str]:
    """Numbered steps: the notes' own list items if they have some, else their sentences."""
    items = [
        m.group("item") for note in notes for m in map(_LIST_ITEM.match, note.splitlines()) if m
    ]
    if not items:
        items = [s for note in notes[:1] for s in _SENTENCE_END.split(" ".join(note.split()))]
    items = [item.strip() for item in items if item.strip()][:MAX_STEPS]
    if not items:
        return ["1. TODO: the first step.", "2. TODO: the next step."]
    return [f"{number}. {item}" for number, item in enumerate(items, 1)]


def _quote_item(question: str) -> str:
    return f"- “{_escape_markdown(' '.join(_cut(question).split()))}”"


def _cut(text: str) -> str:
    return text if len(text) <= MAX_QUOTE_CHARS else text[: MAX_QUOTE_CHARS - 1].rstrip() + "…"


def _escape_markdown(text: str) -> str:
    """A customer's words read as words, not as Markdown or HTML (agents' notes are kept as
    written: they may hold links and formatting meant for the article)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _comment_safe(text: str) -> str:
    return text.replace("--", "- -")


def _distinct(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(text.strip() for text in texts if text.strip()))
