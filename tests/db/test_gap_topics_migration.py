"""Revision 0022: every stored knowledge gap's topic key is recomputed with the Snowball
stemmer from its question (in the conversation's language); gaps whose keys now collide form
one topic and keep their rows, notes, links and state; each changed gap keeps its old key in
``previous_topic`` (buttons posted before carry it); a downgrade gives back the keys of the
suffix stripper used before and drops the column."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from app.db.engine import make_engine
from app.db.schema import current_revision, downgrade, head_revision, upgrade
from app.knowledge_gaps.queue import topic_key
from tests.bugs.test_service import escalation_row

THEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
WHEN = sa.DateTime(timezone=True)

knowledge_gaps = sa.table(
    "knowledge_gaps",
    *(sa.column(name) for name in ("id", "escalation_id", "intent", "topic", "question")),
    *(sa.column(name) for name in ("resolution_note", "status", "article_written_by")),
    sa.column("flagged_at", WHEN),
    sa.column("digested_at", WHEN),
    sa.column("article_written_at", WHEN),
    sa.column("created_at", WHEN),
)
conversations = sa.table("conversations", sa.column("id"), sa.column("language"))
escalations = sa.table("escalations", sa.column("id"), sa.column("conversation_id"))
messages = sa.table("messages", sa.column("conversation_id"))

# (account, the customer's first message, the question stored with the gap, intent, the key
# the suffix stripper stored, the key after the upgrade, state of the gap)
GAPS: list[tuple[str, str, str, str, str, str, dict[str, Any]]] = [
    (
        "acme",
        "<@U0BOT> Slack connection drops every hour",
        "@U0BOT Slack connection drops every hour",
        "integration",
        "integration:connection-drop-slack",
        "integration:connect-drop-slack",
        {"flagged_at": THEN, "digested_at": THEN},
    ),
    (
        "globex",
        "Slack connecting drops every hour",
        "Slack connecting drops every hour",
        "integration",
        "integration:connect-drop-slack",
        "integration:connect-drop-slack",
        {},
    ),
    (
        "initech",
        "How do I export my invoices to QuickBooks?",
        "How do I export my invoices to QuickBooks?",
        "billing_question",
        "billing_question:export-invoic-quickbook",
        "billing_question:export-invoic-quickbook",
        {"status": "article_written", "article_written_by": "U0LEAD", "article_written_at": THEN},
    ),
    (
        "umbrella",
        "¿Cómo descargo mis facturas?",
        "¿Cómo descargo mis facturas?",
        "billing_question",
        "billing_question:descargo-factura",
        "billing_question:descarg-factur",
        {},
    ),
    (
        "hooli",
        "",  # the conversation's messages are gone: the stored question is read
        "Webhook retries keep failing",
        "integration",
        "integration:fail-retry-webhook",
        "integration:fail-retri-webhook",
        {},
    ),
]


@pytest.fixture
def at_0019(empty_database_url: str) -> Iterator[Engine]:
    """A database at revision 0019, with gaps keyed by the suffix stripper."""
    engine = make_engine(empty_database_url)
    upgrade(engine, "0019")
    for account, text, question, intent, old_key, _new, state in GAPS:
        escalation_id = escalation_row(engine, account, text)
        with engine.begin() as connection:
            conversation_id = connection.execute(
                sa.select(escalations.c.conversation_id).where(escalations.c.id == escalation_id)
            ).scalar_one()
            if account == "umbrella":
                connection.execute(
                    conversations.update()
                    .where(conversations.c.id == conversation_id)
                    .values(language="es")
                )
            if not text:
                connection.execute(
                    messages.delete().where(messages.c.conversation_id == conversation_id)
                )
            connection.execute(
                sa.insert(knowledge_gaps).values(
                    {
                        "escalation_id": escalation_id,
                        "intent": intent,
                        "topic": old_key,
                        "question": question,
                        "resolution_note": f"note for {account}",
                        "status": "open",
                        "created_at": THEN,
                        **state,
                    }
                )
            )
    yield engine
    engine.dispose()


def _gaps(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(knowledge_gaps).order_by(knowledge_gaps.c.id))
        return [dict(row) for row in rows.mappings()]


def _previous_topics(engine: Engine) -> list[str | None]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(sa.column("previous_topic"))
                .select_from(sa.table("knowledge_gaps"))
                .order_by(sa.column("id"))
            ).scalars()
        )


def _without_topic(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: value for key, value in row.items() if key != "topic"} for row in rows]


def test_topic_keys_are_recomputed_and_colliding_topics_merge(at_0019: Engine) -> None:
    before = _gaps(at_0019)

    upgrade(at_0019)

    assert current_revision(at_0019) == head_revision()
    after = _gaps(at_0019)
    assert [row["topic"] for row in after] == [new for *_, new, _state in GAPS]
    assert _without_topic(after) == _without_topic(before)  # rows, questions, links, state
    counts = Counter(row["topic"] for row in after)
    assert counts["integration:connect-drop-slack"] == 2  # two topics became one
    assert sum(counts.values()) == len(GAPS)
    # The keys are those the queue now gives new gaps of the same messages.
    for (_account, text, question, intent, _old, new, _state), row in zip(GAPS, after, strict=True):
        language = "es" if row["question"].startswith("¿") else "en"
        assert topic_key(intent, text or question, language) == new


def test_each_changed_key_is_kept_as_the_previous_one(at_0019: Engine) -> None:
    upgrade(at_0019)

    assert _previous_topics(at_0019) == [old if old != new else None for *_, old, new, _ in GAPS]


def test_downgrade_gives_back_the_suffix_stripper_keys(at_0019: Engine) -> None:
    before = _gaps(at_0019)
    upgrade(at_0019)

    downgrade(at_0019, "0019")

    assert current_revision(at_0019) == "0019"
    assert _gaps(at_0019) == before
    columns = {column["name"] for column in sa.inspect(at_0019).get_columns("knowledge_gaps")}
    assert "previous_topic" not in columns
