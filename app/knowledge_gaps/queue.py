"""The knowledge-gap queue: one row per escalation resolved as ``ai_knowledge_gap``.

Each gap gets a *topic*, a key that groups similar questions: ``<intent>:<w1>-<w2>-<w3>``,
where the words are the question's three most informative content words. The key is a pure
function of the intent and the question (see :func:`topic_key`):

1. the question is read without its Slack markup (mentions and link targets are dropped, link
   labels kept), lower-cased and folded like the knowledge-base index does (diacritics
   stripped);
2. stop-words (the knowledge base's list plus generic support words such as "issue" or
   "working"), numbers and one-letter or over-long tokens are dropped;
3. each word is stemmed with the Snowball stemmer of the conversation's language (English when
   it is not known; see ``app.knowledge.stemming``), so "invoices", "invoiced" and "invoicing"
   all become ``invoic``;
4. the three longest distinct stems are kept (without word statistics, length is the proxy for
   rarity, hence for information); ties go alphabetically; the three are sorted alphabetically,
   so word order in the question does not matter.

A question with no content word gets the topic ``<intent>:*``.

State changes (flagging a hot topic, marking gaps digested, marking an article written) are
each one conditional UPDATE, so two workers or two clicks change a row once.

A "Mark article written" button carries the topic key its message was posted with. Migration
0022 recomputed the stored keys (they were suffix-stripped stems before) and kept each changed
gap's old key in ``previous_topic``: a key no gap has now names the gaps that had it before
(see :func:`named_by`), so a button posted before the upgrade still closes its topic.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, FromClause, Table, and_, func, or_, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from app.db.engine import insert_or_ignore
from app.db.models import (
    Conversation,
    Escalation,
    KnowledgeGap,
    Message,
    TriageDecision,
    as_utc,
    utcnow,
)
from app.knowledge.index import STOP_WORDS, tokenize
from app.knowledge.stemming import ALGORITHMS, stem

GAP_TAG = "ai_knowledge_gap"
FLAG_WINDOW = timedelta(days=7)  # a topic is hot with gap_flag_threshold gaps in this window
TOPIC_WORDS = 3
NO_WORDS = "*"
UNKNOWN_INTENT = "unknown"
MAX_TOPIC_CHARS = 200
MAX_WORD_CHARS = 24
_INTENT_CHARS = 40

# Words of support conversations that say nothing about what the question is about.
_GENERIC_WORD_LIST = """
    issue issues problem problems error errors work works working worked able unable use using
    used make makes made seem seems trying happen happens happened wrong right thing anymore
"""
GENERIC_WORDS = frozenset(_GENERIC_WORD_LIST.split())

_GAPS: Table = KnowledgeGap.__table__  # type: ignore[attr-defined]
_MENTION = re.compile(r"<([@#!])([^>|]*)(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^>|]+)(?:\|([^>]*))?>")
_SPACES = re.compile(r"[ \t]+")


@dataclass(frozen=True)
class GapEntry:
    """One open gap, with the customer's thread (``channel_id`` + ``thread_ts``)."""

    gap_id: int
    escalation_id: int
    intent: str
    topic: str
    question: str
    resolution_note: str | None
    channel_id: str
    thread_ts: str
    created_at: datetime


@dataclass(frozen=True)
class TopicGroup:
    topic: str
    intent: str
    gaps: tuple[GapEntry, ...]  # newest first

    @property
    def label(self) -> str:
        """The topic in the questions' own words (see :func:`topic_label`)."""
        return topic_label(self.topic, (gap.question for gap in self.gaps))

    @property
    def count(self) -> int:
        return len(self.gaps)


@dataclass(frozen=True)
class IntentGroup:
    intent: str
    topics: tuple[TopicGroup, ...]  # most gaps first

    @property
    def count(self) -> int:
        return sum(topic.count for topic in self.topics)


@dataclass(frozen=True)
class GapDigest:
    """Open gaps not yet digested, created in ``[since, now]``, by intent then topic;
    ``backlog`` counts the other open gaps (already digested, still without an article)."""

    since: datetime
    now: datetime
    intents: tuple[IntentGroup, ...]  # most gaps first
    backlog: int = 0

    @property
    def total(self) -> int:
        return sum(group.count for group in self.intents)

    @property
    def topics(self) -> tuple[TopicGroup, ...]:
        return tuple(topic for group in self.intents for topic in group.topics)

    @property
    def gap_ids(self) -> tuple[int, ...]:
        return tuple(gap.gap_id for topic in self.topics for gap in topic.gaps)

    @property
    def is_empty(self) -> bool:
        return not self.intents


@dataclass(frozen=True)
class TopicCount:
    """A topic with ``count`` open, unflagged gaps in the flag window."""

    topic: str
    intent: str
    count: int


# -- the topic key --------------------------------------------------------------------------


def plain_text(text: str) -> str:
    """Slack message text as plain text: ``<@U1>`` → ``@U1``, ``<#C1|general>`` → ``#general``,
    ``<!here>`` → ``@here``, ``<https://x|label>`` → ``label (https://x)``, entities decoded,
    runs of spaces collapsed. The result is data: escape it again before showing it in Slack."""

    def link(match: re.Match[str]) -> str:
        url, label = match.group(1), match.group(2)
        return f"{label} ({url})" if label and label != url else url

    def mention(match: re.Match[str]) -> str:
        sigil, target, label = match.groups()
        name = label or target
        return f"#{name}" if sigil == "#" else f"@{name}"

    text = _LINK.sub(link, text)
    text = _MENTION.sub(mention, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines()).strip()


def content_words(text: str) -> list[str]:
    """The content words of Slack or plain ``text`` (folded), in order, repeats included."""
    text = _LINK.sub(lambda match: f" {match.group(2) or ''} ", text)
    text = _MENTION.sub(
        lambda match: f" {match.group(3) or ''} " if match.group(1) == "#" else " ", text
    )
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return [
        token
        for token in tokenize(text)
        if 2 <= len(token) <= MAX_WORD_CHARS
        and not token.isdigit()
        and token not in STOP_WORDS
        and token not in GENERIC_WORDS
    ]


def content_stems(text: str, language: str | None = None) -> list[str]:
    """The distinct stems (in ``language``, English when unknown) of the content words of
    ``text``, in order of appearance."""
    return list(dict.fromkeys(stem(word, language) for word in content_words(text)))


def topic_key(intent: str, question: str, language: str | None = None) -> str:
    """``<intent>:<w1>-<w2>-<w3>``: the intent and the question's three most informative
    content stems in ``language`` (longest first, then alphabetical), sorted; ``<intent>:*``
    with none."""
    ranked = sorted(content_stems(question, language), key=lambda word: (-len(word), word))
    words = "-".join(sorted(ranked[:TOPIC_WORDS])) or NO_WORDS
    return f"{intent}:{words}"[:MAX_TOPIC_CHARS]


def topic_words(topic: str) -> tuple[str, ...]:
    """The stems of a topic key (none for ``<intent>:*``)."""
    _intent, _, words = topic.partition(":")
    return tuple(word for word in words.split("-") if word and word != NO_WORDS)


def topic_label(topic: str, questions: Iterable[str]) -> str:
    """The topic in words people read: each stem as the word the questions used most for it
    (``export-invoic-quickbook`` → ``export invoices quickbooks``); "general" with none. A word
    belongs to a stem in whichever supported language stems it so."""
    stems = topic_words(topic)
    seen: dict[str, Counter[str]] = {word_stem: Counter() for word_stem in stems}
    for question in questions:
        for word in content_words(question):
            for word_stem in {stem(word, language) for language in ALGORITHMS}:
                if word_stem in seen:
                    seen[word_stem][word] += 1
    words = [min(seen[s], key=lambda w: (-seen[s][w], w)) if seen[s] else s for s in stems]
    return " ".join(words) or "general"


# -- recording ------------------------------------------------------------------------------


def record_gap(
    *, session: Session, escalation_id: int, now: datetime | None = None
) -> KnowledgeGap | None:
    """Queue the escalation as a knowledge gap, once; returns the gap (new or already queued),
    or None when the escalation does not exist or was not resolved as ``ai_knowledge_gap``.

    ``created_at`` is ``now`` if given, else when the escalation was resolved."""
    existing = _gap_of(session, escalation_id)
    if existing is not None:
        return existing
    escalation = session.get(Escalation, escalation_id)
    if (
        escalation is None
        or escalation.status != "resolved"
        or escalation.resolution_tag != GAP_TAG
    ):
        return None
    conversation = session.get(Conversation, escalation.conversation_id)
    if conversation is None:
        return None
    intent = _intent_of(session, conversation, escalation)
    raw_question = _first_customer_text(session, conversation)
    language = conversation.language or escalation.language
    created = now or (as_utc(escalation.resolved_at) if escalation.resolved_at else utcnow())
    row = KnowledgeGap(
        escalation_id=escalation_id,
        intent=intent,
        topic=topic_key(intent, raw_question, language),
        question=plain_text(raw_question),
        resolution_note=(escalation.resolution_note or "").strip() or None,
        created_at=created,
    )
    values = row.model_dump(exclude={"id"})
    session.execute(insert_or_ignore(session, KnowledgeGap).values(**values))
    session.flush()
    return _gap_of(session, escalation_id)


def _gap_of(session: Session, escalation_id: int) -> KnowledgeGap | None:
    statement = select(KnowledgeGap).where(col(KnowledgeGap.escalation_id) == escalation_id)
    return session.exec(statement).first()


def _intent_of(session: Session, conversation: Conversation, escalation: Escalation) -> str:
    intent = conversation.intent
    if not intent and escalation.decision_id is not None:
        decision = session.get(TriageDecision, escalation.decision_id)
        intent = decision.intent if decision else None
    return (intent or UNKNOWN_INTENT)[:_INTENT_CHARS]


def _first_customer_text(session: Session, conversation: Conversation) -> str:
    """The message that opened the thread; else the conversation's first customer message."""
    messages = session.exec(
        select(Message)
        .where(col(Message.conversation_id) == conversation.id)
        .order_by(col(Message.created_at), col(Message.id))
    ).all()
    root = next((m for m in messages if m.slack_ts == conversation.thread_ts), None)
    first = root or next((m for m in messages if m.author == "customer"), None)
    return first.text if first else ""


# -- hot topics -----------------------------------------------------------------------------


def _of_team(escalation_id: ColumnElement[int], team_id: str) -> ColumnElement[bool]:
    """Gaps of one installation's escalations (a subquery: usable in an UPDATE too)."""
    team_escalations = select(Escalation.id).where(col(Escalation.team_id) == team_id)
    return escalation_id.in_(team_escalations)


def _flaggable(
    gaps: FromClause, *, team_id: str, now: datetime, topic: str | None
) -> list[ColumnElement[bool]]:
    """An installation's open, unflagged gaps created in the flag window (of one topic, if
    given)."""
    conditions = [
        _of_team(gaps.c.escalation_id, team_id),
        gaps.c.status == "open",
        gaps.c.flagged_at.is_(None),
        gaps.c.created_at > now - FLAG_WINDOW,
        gaps.c.created_at <= now,
    ]
    if topic is not None:
        conditions.append(gaps.c.topic == topic)
    return conditions


def topics_to_flag(
    *, session: Session, team_id: str, now: datetime, threshold: int
) -> list[TopicCount]:
    """Topics with at least ``threshold`` open gaps created in the last 7 days and not yet
    flagged, most gaps first."""
    rows = session.execute(
        select(_GAPS.c.topic, func.min(_GAPS.c.intent), func.count())
        .where(*_flaggable(_GAPS, team_id=team_id, now=now, topic=None))
        .group_by(_GAPS.c.topic)
        .having(func.count() >= threshold)
    ).all()
    found = [TopicCount(topic=str(row[0]), intent=str(row[1]), count=int(row[2])) for row in rows]
    return sorted(found, key=lambda t: (-t.count, t.topic))


def flag_topic(
    *, session: Session, team_id: str, topic: str, now: datetime, threshold: int
) -> bool:
    """Mark the topic's unflagged gaps of the window flagged if there are still at least
    ``threshold`` of them: one conditional UPDATE, so of two workers only one wins (a loser
    that still catches a straggler gap changes fewer than ``threshold`` rows: not a win)."""
    pending_gaps = _GAPS.alias("pending")
    pending = (
        select(func.count())
        .select_from(pending_gaps)
        .where(*_flaggable(pending_gaps, team_id=team_id, now=now, topic=topic))
        .scalar_subquery()
    )
    result = session.execute(
        update(_GAPS)
        .where(*_flaggable(_GAPS, team_id=team_id, now=now, topic=topic), pending >= threshold)
        .values(flagged_at=now)
    )
    return int(result.rowcount) >= threshold  # type: ignore[attr-defined]


def unflag_topic(*, session: Session, team_id: str, topic: str, flagged_at: datetime) -> int:
    """Undo :func:`flag_topic` (the alert could not be posted) so a later run tries again."""
    result = session.execute(
        update(KnowledgeGap)
        .where(
            _of_team(_GAPS.c.escalation_id, team_id),
            col(KnowledgeGap.topic) == topic,
            col(KnowledgeGap.flagged_at) == flagged_at,
        )
        .values(flagged_at=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def recent_gaps(
    *, session: Session, team_id: str, topic: str, since: datetime, now: datetime, limit: int = 5
) -> list[GapEntry]:
    """The installation's open gaps of the topic created in ``[since, now]``, newest first."""
    statement = (
        _entries()
        .where(
            col(Escalation.team_id) == team_id,
            col(KnowledgeGap.topic) == topic,
            col(KnowledgeGap.status) == "open",
            col(KnowledgeGap.created_at) >= since,
            col(KnowledgeGap.created_at) <= now,
        )
        .order_by(col(KnowledgeGap.created_at).desc(), col(KnowledgeGap.id).desc())
        .limit(limit)
    )
    return [_entry(*row) for row in session.execute(statement).all()]


# -- the digest -----------------------------------------------------------------------------


def _entries() -> Select[KnowledgeGap, str, str]:
    return (
        select(KnowledgeGap, Conversation.channel_id, Conversation.thread_ts)
        .join(Escalation, col(Escalation.id) == col(KnowledgeGap.escalation_id))
        .join(Conversation, col(Conversation.id) == col(Escalation.conversation_id))
    )


def _entry(gap: KnowledgeGap, channel_id: str, thread_ts: str) -> GapEntry:
    assert gap.id is not None
    return GapEntry(
        gap_id=gap.id,
        escalation_id=gap.escalation_id,
        intent=gap.intent,
        topic=gap.topic,
        question=gap.question,
        resolution_note=gap.resolution_note,
        channel_id=channel_id,
        thread_ts=thread_ts,
        created_at=as_utc(gap.created_at),
    )


def digest(*, session: Session, team_id: str, now: datetime, since: datetime) -> GapDigest:
    """The installation's open gaps created in ``[since, now]`` that no digest has shown yet."""
    statement = _entries().where(
        col(Escalation.team_id) == team_id,
        col(KnowledgeGap.status) == "open",
        col(KnowledgeGap.digested_at).is_(None),
        col(KnowledgeGap.created_at) >= since,
        col(KnowledgeGap.created_at) <= now,
    )
    entries = [_entry(*row) for row in session.execute(statement).all()]
    open_total = session.exec(
        select(func.count())
        .select_from(KnowledgeGap)
        .where(
            _of_team(_GAPS.c.escalation_id, team_id),
            col(KnowledgeGap.status) == "open",
            col(KnowledgeGap.created_at) <= now,
        )
    ).one()
    return GapDigest(
        since=since, now=now, intents=group(entries), backlog=int(open_total) - len(entries)
    )


def group(entries: Iterable[GapEntry]) -> tuple[IntentGroup, ...]:
    """Gaps by intent then topic; the biggest groups first, ties by name; newest gaps first."""
    by_topic: dict[str, list[GapEntry]] = defaultdict(list)
    for entry in entries:
        by_topic[entry.topic].append(entry)
    topics_by_intent: dict[str, list[TopicGroup]] = defaultdict(list)
    for topic, gaps in by_topic.items():
        gaps.sort(key=lambda g: (g.created_at, g.gap_id), reverse=True)
        intent = Counter(g.intent for g in gaps).most_common(1)[0][0]
        topics_by_intent[intent].append(TopicGroup(topic=topic, intent=intent, gaps=tuple(gaps)))
    intents = [
        IntentGroup(intent=intent, topics=tuple(sorted(topics, key=lambda t: (-t.count, t.topic))))
        for intent, topics in topics_by_intent.items()
    ]
    return tuple(sorted(intents, key=lambda g: (-g.count, g.intent)))


def previous_digest_at(*, session: Session, team_id: str) -> datetime | None:
    """When the installation's last digest was posted (its latest ``digested_at``), if ever."""
    latest = session.exec(
        select(func.max(KnowledgeGap.digested_at)).where(_of_team(_GAPS.c.escalation_id, team_id))
    ).one()
    return as_utc(latest) if isinstance(latest, datetime) else None


def mark_digested(*, session: Session, gap_ids: Sequence[int], now: datetime) -> int:
    """Stamp the gaps a posted digest showed; returns how many were stamped."""
    if not gap_ids:
        return 0
    result = session.execute(
        update(KnowledgeGap)
        .where(col(KnowledgeGap.id).in_(list(gap_ids)), col(KnowledgeGap.digested_at).is_(None))
        .values(digested_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


# -- articles -------------------------------------------------------------------------------


def named_by(topic: str) -> ColumnElement[bool]:
    """The gaps a button's topic key names: those with that key now; when no gap has it now,
    those that had it before migration 0022 recomputed their keys."""
    keyed = _GAPS.alias("keyed")
    taken = select(keyed.c.id).where(keyed.c.topic == topic).exists()
    return or_(_GAPS.c.topic == topic, and_(_GAPS.c.previous_topic == topic, ~taken))


def mark_article_written(
    *,
    session: Session,
    user_id: str,
    now: datetime,
    gap_ids: Sequence[int] | None = None,
    topic: str | None = None,
) -> int:
    """Close the open gaps given by id or by topic key (exactly one of the two; a key as
    :func:`named_by` reads it): one conditional UPDATE; returns how many changed (0 when
    someone else already did it)."""
    if (gap_ids is None) == (topic is None):
        raise ValueError("give gap_ids or topic, not both")
    if gap_ids is not None and not gap_ids:
        return 0
    selector = (
        named_by(topic) if topic is not None else col(KnowledgeGap.id).in_(list(gap_ids or []))
    )
    result = session.execute(
        update(KnowledgeGap)
        .where(selector, col(KnowledgeGap.status) == "open")
        .values(status="article_written", article_written_by=user_id, article_written_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def article_writer(*, session: Session, topic: str) -> tuple[str, datetime] | None:
    """Who marked the topic's article written last, and when (None if nobody has); the topic
    key is read as :func:`named_by` reads it."""
    row = session.exec(
        select(KnowledgeGap)
        .where(
            named_by(topic),
            col(KnowledgeGap.status) == "article_written",
            col(KnowledgeGap.article_written_by).is_not(None),
        )
        .order_by(col(KnowledgeGap.article_written_at).desc(), col(KnowledgeGap.id).desc())
    ).first()
    if row is None or row.article_written_by is None or row.article_written_at is None:
        return None
    return row.article_written_by, as_utc(row.article_written_at)
