"""knowledge-gap topics are Snowball stems: every stored gap's topic key is recomputed

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08

A gap's topic key (``<intent>:<w1>-<w2>-<w3>``, see ``app.knowledge_gaps.queue``) is made of
word stems, which the Snowball stemmer of the conversation's language now gives. The upgrade
recomputes each stored gap's key from its question as the queue computes it at this revision:
the conversation's first customer message as stored (the stored plain-text question when that
message is gone), in the conversation's language, else the escalation's. Gaps whose keys now
collide become one topic: each gap stays its own row, so no count, question, note, thread link
or flag/digest/article state is lost; the topic's count is the sum of the merged ones.

Messages posted before the upgrade (digests, hot-topic alerts) carry the old keys in their
"Mark article written" buttons, so each gap whose key changes keeps its old one in the new
column ``previous_topic``: a button whose key no gap has now closes the gaps that had it.

The downgrade recomputes the keys with the suffix stripper used before this revision (English,
as it was), from the same questions, and drops ``previous_topic``.

The key computation is frozen here as it is at this revision (tokens, stop-words, generic
words, Slack markup); only ``snowballstemmer``, a pinned dependency, is imported.
"""

import re
import unicodedata
from collections.abc import Callable, Sequence

import snowballstemmer  # type: ignore[import-untyped]
import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOPIC_WORDS = 3
NO_WORDS = "*"
MAX_TOPIC_CHARS = 200
MAX_WORD_CHARS = 24
# Snowball algorithm per language code; any other language is stemmed as English.
ALGORITHMS = {
    "en": "english",
    "es": "spanish",
    "de": "german",
    "fr": "french",
    "pt": "portuguese",
    "it": "italian",
    "nl": "dutch",
}

knowledge_gaps = sa.table(
    "knowledge_gaps",
    *(sa.column(name) for name in ("id", "escalation_id", "intent", "topic", "question")),
    sa.column("previous_topic"),
)
escalations = sa.table(
    "escalations", sa.column("id"), sa.column("conversation_id"), sa.column("language")
)
conversations = sa.table(
    "conversations", sa.column("id"), sa.column("thread_ts"), sa.column("language")
)
messages = sa.table(
    "messages",
    *(sa.column(name) for name in ("id", "conversation_id", "slack_ts", "author", "text")),
    sa.column("created_at", sa.DateTime(timezone=True)),
)

_TOKEN_RE = re.compile(r"[^\W_]+")
_MENTION = re.compile(r"<([@#!])([^>|]*)(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^>|]+)(?:\|([^>]*))?>")
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
_GENERIC_WORD_LIST = """
    issue issues problem problems error errors work works working worked able unable use using
    used make makes made seem seems trying happen happens happened wrong right thing anymore
"""
GENERIC_WORDS = frozenset(_GENERIC_WORD_LIST.split())


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).lower())
    if decomposed.isascii():
        return decomposed
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _content_words(text: str) -> list[str]:
    text = _LINK.sub(lambda match: f" {match.group(2) or ''} ", text)
    text = _MENTION.sub(
        lambda match: f" {match.group(3) or ''} " if match.group(1) == "#" else " ", text
    )
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return [
        token
        for token in _TOKEN_RE.findall(_fold(text.replace("\x00", " ")))
        if 2 <= len(token) <= MAX_WORD_CHARS
        and not token.isdigit()
        and token not in STOP_WORDS
        and token not in GENERIC_WORDS
    ]


def _topic_key(intent: str, question: str, stem: Callable[[str], str]) -> str:
    stems = dict.fromkeys(stem(word) for word in _content_words(question))
    ranked = sorted(stems, key=lambda word: (-len(word), word))
    words = "-".join(sorted(ranked[:TOPIC_WORDS])) or NO_WORDS
    return f"{intent}:{words}"[:MAX_TOPIC_CHARS]


def _snowball(language: str | None) -> Callable[[str], str]:
    code = (language or "").split("-")[0].split("_")[0].lower()
    stemmer = snowballstemmer.stemmer(ALGORITHMS.get(code, "english"))
    return lambda word: str(stemmer.stemWord(word)) or word


def _suffix_stripper(_language: str | None) -> Callable[[str], str]:
    """The stems of the topic keys before this revision (English suffixes only)."""

    def stem(word: str) -> str:
        for suffix, replacement in (
            ("sses", "ss"),
            ("ies", "y"),
            ("ied", "y"),
            ("ings", ""),
            ("ing", ""),
            ("edly", ""),
            ("ed", ""),
            ("ly", ""),
            ("es", ""),
            ("s", ""),
        ):
            if not word.endswith(suffix) or len(word) - len(suffix) < 3:
                continue
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            word = word[: len(word) - len(suffix)] + replacement
            if suffix in ("ing", "ings", "ed") and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
        if word.endswith("e") and len(word) > 4:
            word = word[:-1]
        return word

    return stem


def _first_customer_text(
    connection: sa.Connection, conversation_id: int, thread_ts: str
) -> str | None:
    """The message that opened the thread, else the conversation's first customer message."""
    rows = connection.execute(
        sa.select(messages.c.slack_ts, messages.c.author, messages.c.text)
        .where(messages.c.conversation_id == conversation_id)
        .order_by(messages.c.created_at, messages.c.id)
    ).all()
    root = next((row for row in rows if row.slack_ts == thread_ts), None)
    first = root or next((row for row in rows if row.author == "customer"), None)
    return str(first.text) if first is not None else None


def _recompute(
    stemmer_of: Callable[[str | None], Callable[[str], str]], *, keep_previous: bool
) -> None:
    connection = op.get_bind()
    gaps = connection.execute(
        sa.select(
            knowledge_gaps.c.id,
            knowledge_gaps.c.intent,
            knowledge_gaps.c.topic,
            knowledge_gaps.c.question,
            escalations.c.conversation_id,
            sa.func.coalesce(conversations.c.language, escalations.c.language).label("language"),
            conversations.c.thread_ts,
        )
        .select_from(knowledge_gaps)
        .outerjoin(escalations, escalations.c.id == knowledge_gaps.c.escalation_id)
        .outerjoin(conversations, conversations.c.id == escalations.c.conversation_id)
        .order_by(knowledge_gaps.c.id)
    ).all()
    stemmers: dict[str | None, Callable[[str], str]] = {}
    changed = []
    for gap in gaps:
        question = None
        if gap.conversation_id is not None:
            question = _first_customer_text(connection, gap.conversation_id, gap.thread_ts)
        if question is None:
            question = gap.question or ""
        if gap.language not in stemmers:
            stemmers[gap.language] = stemmer_of(gap.language)
        topic = _topic_key(gap.intent, question, stemmers[gap.language])
        if topic != gap.topic:
            changed.append({"gap_id": gap.id, "new_topic": topic, "old_topic": gap.topic})
    if not changed:
        return
    values: dict[str, sa.BindParameter[str]] = {"topic": sa.bindparam("new_topic")}
    if keep_previous:
        values["previous_topic"] = sa.bindparam("old_topic")
    connection.execute(
        knowledge_gaps.update().where(knowledge_gaps.c.id == sa.bindparam("gap_id")).values(values),
        changed,
    )


def upgrade() -> None:
    with op.batch_alter_table("knowledge_gaps") as batch:
        batch.add_column(sa.Column("previous_topic", sa.String(length=200), nullable=True))
    _recompute(_snowball, keep_previous=True)


def downgrade() -> None:
    _recompute(_suffix_stripper, keep_previous=False)
    with op.batch_alter_table("knowledge_gaps") as batch:
        batch.drop_column("previous_topic")
