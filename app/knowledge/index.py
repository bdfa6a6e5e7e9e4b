"""Full-text index of the knowledge base (in-memory SQLite FTS5) and retrieval with a confidence.

The confidence is the calibrated probability that the top article answers the text (see
``app.knowledge.calibration``).

Articles are indexed word by word as Snowball stems (``app.knowledge.stemming``, English: a
question's language is not known when it is searched) with the ``unicode61 remove_diacritics 2``
tokenizer, and ranked by bm25 with the title weighted above the tags and the body. The FTS5 table
reads its text from a content table holding the articles' own words, one for each indexed stem,
so snippets quote the article as written. Query terms are stemmed the same way. A query term
absent from every article is replaced by the closest word of the knowledge base when one is a
typo away ("pasword").

Customer text never reaches FTS5 as syntax: ``query_terms`` keeps word tokens only (no stop-words,
no operators, at most ``MAX_QUERY_TERMS``) and ``match_expression`` quotes every one of them, so
any input (quotes, parentheses, ``NEAR``, ``*``, column filters, NUL bytes, emoji, 40,000
characters) becomes a valid MATCH expression or no query at all.
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from app.knowledge.articles import Article, KnowledgeBaseError, markdown_to_text
from app.knowledge.calibration import AnswerCalibration, RetrievalFeatures, load_calibration
from app.knowledge.glossary import EMPTY_GLOSSARY, GLOSSARY_PATH, Glossary, load_glossary
from app.knowledge.stemming import stem, stems

# bm25 weights of the indexed columns: a word in the title counts far more than one in the body.
TITLE_WEIGHT = 10.0
TAGS_WEIGHT = 5.0
BODY_WEIGHT = 1.0

MAX_QUERY_TERMS = 32
MAX_TERM_CHARS = 40
MAX_QUERY_CHARS = 50_000
# Rows in the FTS table, counting filler rows (see ``_add_filler_rows``).
IDF_ROWS = 100
_FILLER_WORD = "z" * (MAX_TERM_CHARS + 10)

# A spelling-corrected term counts this share of its weight in the coverage features.
CORRECTION_DISCOUNT = 0.8
_MIN_CORRECTABLE_CHARS = 4
_TWO_EDITS_CHARS = 8
_CORRECTION_CACHE_SIZE = 4096

_TOKENIZER = "unicode61 remove_diacritics 2"
_TOKEN_RE = re.compile(r"[^\W_]+")
_FTS_OPERATORS = frozenset({"and", "or", "not", "near"})
# Words that say nothing about the topic: English, plus the commonest Spanish, German, French
# and Portuguese function words, and the pleasantries of a support conversation.
_STOP_WORD_LIST = """
    a about above after again against all also am an and any anyone anything anyway anywhere
    are aren as at be because been before being below between both but by can cannot cant could
    couldn did didn do does doesn doing don done during each else etc even ever every few
    for from further get gets getting got had hadn has hasn have haven having he her here hers
    herself him himself his how however i if in into is isn it its itself just know let lets
    like ll may me might mine more most much must my myself need needs no nor not now of off on
    once one only or other our ours ourselves out over own please pls plz re really s same
    say see seems shall she should shouldn so some someone something somehow still such sure t
    than that thats the their theirs them themselves then there these they thing things think
    this those though through to too try trying tried under until up upon us ve very via want
    wanted wants was wasn way we well were weren what whats when where whether which while who
    whom whose why will with within without won would wouldn yes yet you your yours yourself
    yourselves hi hello hey hiya folks guys team thanks thank thx ty cheers regards best kind
    morning afternoon evening quick question questions help asap urgent hope ok okay oh also
    anybody somebody everyone everything nothing today tomorrow yesterday currently
    el la los las un una unos unas de del al y o que en por para con sin se su sus mi mis es son
    como cuando donde porque pero hola gracias favor puedo puede podemos tengo tenemos nuestro
    nuestra nuestros lo le les ya muy esta este esto estos estas hay
    der die das den dem des ein eine einen einem einer und oder nicht ist sind wie wo wann warum
    ich wir sie er es mit von zu zum zur auf aus bei fur im ins hallo danke bitte kann konnen
    unser unsere mein meine dass noch schon auch nur
    le les du des une et ou pas est sont comment pour avec sans je nous vous merci bonjour
    o os um uma e nao com sem eu nos voce obrigado ola
"""
STOP_WORDS = frozenset(_STOP_WORD_LIST.split())


@dataclass(frozen=True)
class Hit:
    """One article found for a query. ``score`` is the bm25 relevance (higher is better) and
    ``snippet`` a plain-text excerpt of the body around the matched words."""

    article: Article
    score: float
    snippet: str


@dataclass(frozen=True)
class Retrieval:
    """The result of one query: the hits (best first), the confidence that the top article
    answers the text, and the search terms actually used (after spelling correction)."""

    hits: tuple[Hit, ...]
    confidence: float
    terms: tuple[str, ...]
    features: RetrievalFeatures | None = None  # None when nothing matched


@dataclass(frozen=True)
class _Term:
    text: str
    rowids: frozenset[int]
    corrected: bool
    title_rowids: frozenset[int] = frozenset()


def fold(text: str) -> str:
    """Lower-case ``text`` and strip diacritics, as the index tokenizer does."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).lower())
    if decomposed.isascii():
        return decomposed
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokenize(text: str) -> list[str]:
    """Word tokens of ``text`` (folded; letters and digits only), in order."""
    return _TOKEN_RE.findall(fold(text.replace("\x00", " ")))


def query_terms(text: str) -> list[str]:
    """The distinct, meaningful search terms of customer text, in order of appearance.

    Drops stop-words, FTS5 operator words, single characters, over-long tokens (hashes, base64)
    and long digit runs (ids, timestamps); keeps at most ``MAX_QUERY_TERMS``.
    """
    terms: dict[str, None] = {}
    for token in tokenize(text[:MAX_QUERY_CHARS]):
        if len(token) < 2 or len(token) > MAX_TERM_CHARS:
            continue
        if token in STOP_WORDS or token in _FTS_OPERATORS:
            continue
        if token.isdigit() and len(token) > 4:
            continue
        terms[token] = None
        if len(terms) >= MAX_QUERY_TERMS:
            break
    return list(terms)


def match_expression(terms: Sequence[str]) -> str | None:
    """A safe FTS5 MATCH expression: every term quoted as a string, joined by OR."""
    quoted = ['"' + term.replace('"', '""').replace("\x00", "") + '"' for term in terms]
    return " OR ".join(quoted) if quoted else None


def term_weight(document_frequency: int, document_count: int) -> float:
    """Inverse document frequency of a term (always > 0; rarer terms weigh more)."""
    df = max(0, min(document_frequency, document_count))
    return math.log(1.0 + (document_count - df + 0.5) / (df + 0.5))


class KnowledgeIndex:
    """An immutable full-text index of articles. Build once with ``build``; then ``search`` and
    ``retrieve`` are safe to call from several threads at once."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        articles: Sequence[Article],
        frequency: Counter[str],
        calibration: AnswerCalibration,
        glossary: Glossary = EMPTY_GLOSSARY,
    ) -> None:
        """Use ``build``. ``frequency`` counts the words of the articles, for spelling fixes."""
        self._db = connection
        self._calibration = calibration
        self._glossary = glossary
        self._articles = tuple(articles)
        self._lock = threading.Lock()
        self._corrections: dict[str, str | None] = {}
        self._frequency = frequency
        self._vocabulary: dict[int, list[str]] = {}
        for word in sorted(frequency):
            if (
                len(word) >= _MIN_CORRECTABLE_CHARS
                and not word.isdigit()
                and word not in STOP_WORDS
            ):
                self._vocabulary.setdefault(len(word), []).append(word)

    @classmethod
    def build(
        cls,
        articles: Iterable[Article],
        *,
        calibration: AnswerCalibration | None = None,
        glossary: Glossary | None = None,
    ) -> KnowledgeIndex:
        """Index ``articles``; raises ``KnowledgeBaseError`` on a duplicate slug or when this
        Python's SQLite has no FTS5. ``calibration`` turns retrieval features into the answer
        confidence (default: the model fitted on the sample knowledge base); ``glossary``
        finds English articles for words of other languages (default: the shipped one)."""
        ordered = list(articles)
        seen: set[str] = set()
        for article in ordered:
            if article.slug in seen:
                raise KnowledgeBaseError(f"two articles have the slug {article.slug!r}")
            seen.add(article.slug)
        bodies = [markdown_to_text(article.body) for article in ordered]
        tokens = [
            tokenize(f"{article.title} {' '.join(article.tags)} {body}")
            for article, body in zip(ordered, bodies, strict=True)
        ]
        connection = _connect()
        try:
            _create_table(connection)
            _insert(
                connection,
                [
                    (rowid, article.title, " ".join(article.tags), body)
                    for rowid, (article, body) in enumerate(zip(ordered, bodies, strict=True))
                ],
            )
            _add_filler_rows(connection, [len(words) for words in tokens])
            connection.commit()
        except BaseException:
            connection.close()
            raise
        frequency: Counter[str] = Counter()
        for words in tokens:
            frequency.update(words)
        return cls(
            connection,
            ordered,
            frequency,
            calibration or load_calibration(),
            glossary if glossary is not None else load_glossary(GLOSSARY_PATH, tokenize),
        )

    @property
    def articles(self) -> tuple[Article, ...]:
        return self._articles

    def __len__(self) -> int:
        return len(self._articles)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def search(self, text: str, *, limit: int = 3) -> list[Hit]:
        """The articles best matching ``text``, best first (at most ``limit``)."""
        return list(self.retrieve(text, limit=limit).hits)

    def confidence(self, text: str) -> float:
        """The confidence of ``retrieve(text)``."""
        return self.retrieve(text, limit=1).confidence

    def retrieve(self, text: str, *, limit: int = 3) -> Retrieval:
        """Search ``text`` and rate how likely the top article answers it (the calibrated
        probability of its ``features``). Deterministic: equal scores are ordered by article
        order."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        with self._lock:
            terms = self._resolve(self._query_terms(text))
            known = [term for term in terms if term.rowids]
            expression = match_expression(stems(term.text for term in known))
            if expression is None:
                return Retrieval(hits=(), confidence=0.0, terms=tuple(t.text for t in terms))
            rows = self._db.execute(
                "SELECT rowid, -bm25(articles, ?, ?, ?) AS score,"
                " snippet(articles, 2, '', '', '…', 24)"
                " FROM articles WHERE articles MATCH ? ORDER BY score DESC, rowid LIMIT ?",
                (TITLE_WEIGHT, TAGS_WEIGHT, BODY_WEIGHT, expression, max(limit, 2)),
            ).fetchall()
        hits = tuple(
            Hit(article=self._articles[rowid], score=float(score), snippet=_clean(snippet))
            for rowid, score, snippet in rows
        )
        features = None
        if hits:
            top_rowid = rows[0][0]
            features = RetrievalFeatures(
                coverage=self._coverage(terms, top_rowid),
                title_coverage=self._coverage(terms, top_rowid, title_only=True),
                top_score=hits[0].score,
                runner_up_score=hits[1].score if len(hits) > 1 else 0.0,
                unknown_share=sum(1 for term in terms if not term.rowids) / len(terms),
            )
        return Retrieval(
            hits=hits[:limit],
            confidence=self._calibration.probability(features) if features else 0.0,
            terms=tuple(t.text for t in terms),
            features=features,
        )

    def _coverage(self, terms: Sequence[_Term], rowid: int, *, title_only: bool = False) -> float:
        """The rarity-weighted share of ``terms`` found in the article (or in its title and
        tags only); a term the knowledge base has never seen weighs as much as the rarest."""
        count = len(self._articles)
        unknown_weight = term_weight(1, count)
        total = matched = 0.0
        for term in terms:
            weight = term_weight(len(term.rowids), count) if term.rowids else unknown_weight
            total += weight
            if rowid in (term.title_rowids if title_only else term.rowids):
                matched += weight * (CORRECTION_DISCOUNT if term.corrected else 1.0)
        return matched / total if total else 0.0

    def _query_terms(self, text: str) -> list[str]:
        """The search terms of ``text``, a glossary phrase replaced by its English terms."""
        terms = query_terms(text)
        english, used = self._glossary.phrases_in(tokenize(text[:MAX_QUERY_CHARS]))
        if not english:
            return terms
        return [term for term in terms if term not in used] + [
            word for word in english if word not in terms
        ]

    def _resolve(self, terms: Sequence[str]) -> list[_Term]:
        """Each term as the knowledge base knows it: itself and its English equivalents (the
        glossary), else its spelling correction; a replaced term weighs a little less."""
        resolved: dict[str, _Term] = {}
        for text in terms:
            rowids = self._rowids(text)
            english = [(word, True, self._rowids(word)) for word in self._translate(text)]
            found = [(text, False, rowids), *english]
            if not rowids:
                found = english
                if not found:
                    correction = self._correct(text)
                    if correction is not None:
                        found = [(correction, True, self._rowids(correction))]
                    else:
                        found = [(text, False, rowids)]
            for word, corrected, word_rowids in found:
                if word not in resolved:
                    title_rowids = (
                        self._rowids(word, columns="{title tags}: ") if word_rowids else word_rowids
                    )
                    resolved[word] = _Term(word, word_rowids, corrected, title_rowids)
        return list(resolved.values())

    def _translate(self, term: str) -> list[str]:
        """The English equivalents of ``term`` that the knowledge base contains."""
        return [word for word in self._glossary.english(term) if self._rowids(word)]

    def _rowids(self, term: str, *, columns: str = "") -> frozenset[int]:
        expression = match_expression([stem(term)])
        rows = self._db.execute(
            "SELECT rowid FROM articles WHERE articles MATCH ?", (f"{columns}{expression}",)
        ).fetchall()
        return frozenset(row[0] for row in rows)

    def _correct(self, term: str) -> str | None:
        """The knowledge-base word closest to a term it does not contain (a typo): same first
        letter, and at most one edit away (insertion, deletion, substitution or swap of two
        neighbours), two for words of 8 letters or more; ties go to the most frequent word."""
        if len(term) < _MIN_CORRECTABLE_CHARS or term.isdigit():
            return None
        if term in self._corrections:
            return self._corrections[term]
        budget = 1 if len(term) < _TWO_EDITS_CHARS else 2
        best: tuple[int, int, str] | None = None
        for size in range(len(term) - budget, len(term) + budget + 1):
            for word in self._vocabulary.get(size, ()):
                if word[0] != term[0]:
                    continue
                distance = OSA.distance(term, word, score_cutoff=budget)
                if distance <= budget:
                    key = (distance, -self._frequency[word], word)
                    best = key if best is None or key < best else best
        correction = best[2] if best is not None and self._rowids(best[2]) else None
        if len(self._corrections) >= _CORRECTION_CACHE_SIZE:
            self._corrections.clear()
        self._corrections[term] = correction
        return correction


def _connect() -> sqlite3.Connection:
    return sqlite3.connect(":memory:", check_same_thread=False)


def _create_table(connection: sqlite3.Connection) -> None:
    """The articles' text (``article_text``) and its full-text index (``articles``), which reads
    the text of snippets from ``article_text``."""
    connection.execute("CREATE TABLE article_text(rowid INTEGER PRIMARY KEY, title, tags, body)")
    try:
        connection.execute(
            "CREATE VIRTUAL TABLE articles USING fts5(title, tags, body,"
            f" content='article_text', content_rowid='rowid', tokenize='{_TOKENIZER}')"
        )
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc).lower():
            raise KnowledgeBaseError(
                f"the SQLite library of this Python (version {sqlite3.sqlite_version}) "
                "has no FTS5 full-text search; install a Python built with FTS5"
            ) from exc
        raise


def _insert(connection: sqlite3.Connection, rows: Sequence[tuple[int, str, str, str]]) -> None:
    """Store rows (rowid, title, tags, body) as written and index the stems of their words.

    Each word of the text gives exactly one stem, so the positions FTS5 records for the stems
    are those of the words in the stored text, where ``snippet`` finds them."""
    connection.executemany(
        "INSERT INTO article_text(rowid, title, tags, body) VALUES (?, ?, ?, ?)", rows
    )
    connection.executemany(
        "INSERT INTO articles(rowid, title, tags, body) VALUES (?, ?, ?, ?)",
        [(rowid, *(" ".join(stems(tokenize(text))) for text in texts)) for rowid, *texts in rows],
    )


def _add_filler_rows(connection: sqlite3.Connection, lengths: Sequence[int]) -> None:
    """Pad the table to ``IDF_ROWS`` rows with rows of average length made of one word that no
    query can contain. FTS5's bm25 gives no weight at all to a word found in half of the rows or
    more, which in a small knowledge base about one product includes words such as "plan" or
    "workspace"; with the filler rows every word keeps a weight that decreases smoothly with
    the number of articles containing it. Document lengths and their average are unchanged.

    ``lengths`` are the numbers of words of the articles."""
    missing = IDF_ROWS - len(lengths)
    if missing <= 0:
        return
    average = round(sum(lengths) / len(lengths)) if lengths else 0
    body = " ".join([_FILLER_WORD] * average)
    _insert(connection, [(len(lengths) + offset, "", "", body) for offset in range(missing)])


def _clean(snippet: str) -> str:
    return " ".join(snippet.split())
