"""Extractive answers from the knowledge base (no language model involved).

``compose_answer`` picks the paragraph or list of steps of the top article that shares the most
words with the question (compared as Snowball stems in the article's language), cuts it on a
sentence or line boundary, adds a one-line lead-in and cites the best articles. The text is
plain (no Slack or Markdown markup): the Slack layer renders and escapes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.knowledge.articles import Article, markdown_to_text
from app.knowledge.index import Retrieval, query_terms, tokenize
from app.knowledge.stemming import stem, stems

# A suggested ``min_confidence``: on the sample knowledge base, the customer questions of the
# tests score 0.28 or more and off-topic messages 0.16 or less.
DEFAULT_MIN_CONFIDENCE = 0.25
MAX_EXCERPT_CHARS = 600
MAX_CITATIONS = 3
# A further article is cited when its score is at least this share of the top article's score.
CITATION_SCORE_SHARE = 0.5
ELLIPSIS = "…"

_LEAD_INS = {
    "en": 'Our help article "{title}" covers this:',
    "es": 'Nuestro artículo de ayuda "{title}" lo explica:',
    "de": "Unser Hilfeartikel „{title}“ beschreibt das:",
    "fr": "Notre article d'aide « {title} » l'explique :",
    "pt": 'Nosso artigo de ajuda "{title}" explica isso:',
}
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+(.*)$")
_LIST_ITEM_RE = re.compile(r"^\s*(•|\d+[.)])\s")
_SENTENCE_END_RE = re.compile(r"[.!?…](?=\s|$)")
_LIST_MARKER_RE = re.compile(r"^\s*\d+\.$")
_HOW_TO_WORDS = frozenset({"how", "steps", "step", "setup", "como", "wie", "comment"})


@dataclass(frozen=True)
class Citation:
    title: str
    url: str


@dataclass(frozen=True)
class Answer:
    """Plain text for the customer, the articles it comes from, and the retrieval confidence."""

    text: str
    citations: list[Citation]
    confidence: float


@dataclass(frozen=True)
class _Block:
    heading: str
    text: str


def compose_answer(question: str, retrieval: Retrieval, *, min_confidence: float) -> Answer | None:
    """An extractive answer to ``question`` from ``retrieval`` (see ``KnowledgeIndex.retrieve``),
    or ``None`` when there is no hit or the confidence is below ``min_confidence``."""
    if not retrieval.hits or retrieval.confidence < min_confidence:
        return None
    top = retrieval.hits[0].article
    question_stems = {
        stem(term, top.language) for term in (*query_terms(question), *retrieval.terms)
    }
    excerpt = truncate(_best_passage(top, question, question_stems), MAX_EXCERPT_CHARS)
    lead_in = _LEAD_INS.get(top.language.split("-")[0], _LEAD_INS["en"]).format(title=top.title)
    return Answer(
        text=f"{lead_in}\n\n{excerpt}",
        citations=_citations(retrieval),
        confidence=retrieval.confidence,
    )


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters: at the last sentence or line end that fits,
    or else at a word boundary followed by an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    window = text[: limit + 1]
    ends = [
        m.end()
        for m in _SENTENCE_END_RE.finditer(window)
        if m.end() <= limit and not _LIST_MARKER_RE.match(_line_before(window, m.end()))
    ]
    ends += [i for i, ch in enumerate(window) if ch == "\n" and i > 0]
    best = max(ends, default=0)
    if best >= limit // 3:
        return text[:best].rstrip()
    cut = window[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space >= limit // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + ELLIPSIS


def _line_before(text: str, end: int) -> str:
    return text[text.rfind("\n", 0, end) + 1 : end]


def _best_passage(article: Article, question: str, question_stems: set[str]) -> str:
    """The block sharing the most word stems (in the article's language) with the question;
    a word in the block's heading counts twice more, and a list of steps counts one more for a
    how-to question. The earliest block wins a tie. A block introducing a list ("...:") is
    joined to that list."""
    blocks = _blocks(article.body)
    if not blocks:
        return markdown_to_text(article.body)
    how_to = not _HOW_TO_WORDS.isdisjoint(tokenize(question))

    def relevance(block: _Block) -> int:
        shared = len(question_stems & _stems(block.text, article.language))
        score = shared + 2 * len(question_stems & _stems(block.heading, article.language))
        return score + (1 if how_to and _LIST_ITEM_RE.match(block.text) else 0)

    best = max(range(len(blocks)), key=lambda i: (relevance(blocks[i]), -i))
    chosen = blocks[best].text
    following = blocks[best + 1] if best + 1 < len(blocks) else None
    preceding = blocks[best - 1] if best > 0 else None
    if chosen.endswith(":") and following and following.heading == blocks[best].heading:
        chosen = f"{chosen}\n{following.text}"
    elif (
        _LIST_ITEM_RE.match(chosen)
        and preceding
        and preceding.heading == blocks[best].heading
        and preceding.text.endswith(":")
    ):
        chosen = f"{preceding.text}\n{chosen}"
    return chosen


def _blocks(markdown: str) -> list[_Block]:
    """Paragraphs and lists of a Markdown body (separated by blank lines), with their heading."""
    blocks: list[_Block] = []
    heading = ""
    lines: list[str] = []

    def flush() -> None:
        text = markdown_to_text("\n".join(lines))
        if text:
            blocks.append(_Block(heading=heading, text=text))
        lines.clear()

    for line in markdown.splitlines():
        match = _HEADING_RE.match(line)
        if match:
            flush()
            heading = markdown_to_text(match.group(1))
        elif line.strip():
            lines.append(line)
        else:
            flush()
    flush()
    return blocks


def _citations(retrieval: Retrieval) -> list[Citation]:
    top_score = retrieval.hits[0].score
    citations: list[Citation] = []
    for hit in retrieval.hits:
        if len(citations) >= MAX_CITATIONS:
            break
        if hit is not retrieval.hits[0] and hit.score < CITATION_SCORE_SHARE * top_score:
            continue
        citation = Citation(title=hit.article.title, url=hit.article.url)
        if citation not in citations:
            citations.append(citation)
    return citations


def _stems(text: str, language: str) -> set[str]:
    return set(stems(tokenize(text), language))
