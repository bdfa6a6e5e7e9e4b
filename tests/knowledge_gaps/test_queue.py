"""The knowledge-gap queue on both databases: recording, hot topics, the digest, articles."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.db.engine import session_scope
from app.db.models import Account, Conversation, Escalation, KnowledgeGap, Message, TriageDecision
from app.knowledge_gaps.queue import (
    article_writer,
    content_stems,
    digest,
    flag_topic,
    mark_article_written,
    mark_digested,
    plain_text,
    previous_digest_at,
    record_gap,
    topic_key,
    topic_label,
    topics_to_flag,
    unflag_topic,
)

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
ACME = "C0ACME"
GLOBEX = "C0GLOBEX"
EXPORT_QUESTIONS = [
    "How do I export my invoices to QuickBooks?",
    "Can we export invoices into QuickBooks Online?",
    "Exporting invoiced items to quickbooks: where is it?",
    "hi team, any way to export our invoices for QuickBooks??",
    "We need to export invoices to QuickBooks every month",
]
_ts = itertools.count(1)


def account_id(session: Session, channel: str) -> int:
    account = session.exec(select(Account).where(col(Account.channel_id) == channel)).first()
    if account is None:
        account = Account(name=f"Account {channel}", channel_id=channel, tier="pro")
        session.add(account)
        session.flush()
    assert account.id is not None
    return account.id


def resolved_escalation(
    engine: Engine,
    *,
    question: str,
    intent: str | None = "billing_question",
    tag: str = "ai_knowledge_gap",
    note: str | None = "Settings > Billing > Export, then pick the QuickBooks format.",
    resolved_at: datetime = NOW,
    channel: str = ACME,
    status: str = "resolved",
    language: str | None = None,
) -> int:
    """An account's conversation (the customer's question, then a follow-up) escalated and
    resolved by an agent; returns the escalation id."""
    thread_ts = f"1717000000.{next(_ts):06d}"
    with session_scope(engine) as session:
        owner = account_id(session, channel)
        conversation = Conversation(
            account_id=owner,
            channel_id=channel,
            thread_ts=thread_ts,
            customer_user_id="U0CUST",
            status="resolved",
            intent=intent,
            language=language,
            created_at=resolved_at - timedelta(hours=1),
        )
        session.add(conversation)
        session.flush()
        assert conversation.id is not None
        session.add(
            Message(
                conversation_id=conversation.id,
                slack_ts=thread_ts,
                author="customer",
                text=question,
                created_at=resolved_at - timedelta(hours=1),
            )
        )
        session.add(
            Message(
                conversation_id=conversation.id,
                slack_ts=f"{thread_ts}1",
                author="customer",
                text="Any news? This is urgent",
                created_at=resolved_at - timedelta(minutes=30),
            )
        )
        escalation = Escalation(
            conversation_id=conversation.id,
            account_id=owner,
            skill="billing",
            language="en",
            tier="pro",
            status=status,
            routed_channel="C0BILLING",
            claim_deadline=resolved_at,
            claimed_by="U0AGENT1",
            resolved_by="U0AGENT1" if status == "resolved" else None,
            resolved_at=resolved_at if status == "resolved" else None,
            resolution_tag=tag if status == "resolved" else None,
            resolution_note=note,
            created_at=resolved_at - timedelta(minutes=50),
        )
        session.add(escalation)
        session.flush()
        assert escalation.id is not None
        return escalation.id


def gap(engine: Engine, question: str, **fields: object) -> KnowledgeGap:
    escalation_id = resolved_escalation(engine, question=question, **fields)  # type: ignore[arg-type]
    with session_scope(engine) as session:
        row = record_gap(session=session, escalation_id=escalation_id)
    assert row is not None
    return row


def gaps(engine: Engine) -> list[KnowledgeGap]:
    with session_scope(engine) as session:
        return list(session.exec(select(KnowledgeGap).order_by(col(KnowledgeGap.id))))


# -- the topic key (pure) ---------------------------------------------------------------------


def test_similar_questions_share_a_topic_whatever_the_wording() -> None:
    keys = {topic_key("billing_question", q) for q in EXPORT_QUESTIONS}
    assert keys == {"billing_question:export-invoic-quickbook"}
    assert topic_label("billing_question:export-invoic-quickbook", EXPORT_QUESTIONS) == (
        "export invoices quickbooks"
    )


def test_the_topic_key_depends_on_intent_and_content_words_only() -> None:
    question = "Where can I download the audit log of our workspace?"
    assert topic_key("security", question) == topic_key("security", question.upper() + " thx!")
    assert topic_key("security", question) != topic_key("how_to", question)
    assert topic_key("security", question) != topic_key("security", "How do I reset 2FA codes?")
    # Mentions and link targets are not words of the question; link labels are.
    marked_up = "<@U0CUST> <https://example.com/x|audit log> download for workspace?"
    assert topic_key("security", marked_up) == topic_key("security", question)
    assert topic_key("feedback", "thanks!! :) 12345") == "feedback:*"


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("invoices", "invoic"),
        ("invoicing", "invoic"),
        ("invoiced", "invoic"),
        ("exports", "export"),
        ("running", "run"),
        ("billing", "bill"),
        ("companies", "compani"),
        ("status", "status"),
        ("sso", "sso"),
    ],
)
def test_topic_words_are_stems(word: str, stem: str) -> None:
    assert content_stems(word) == [stem]


def test_a_question_is_stemmed_in_its_language() -> None:
    questions = ["¿Cómo descargo mis facturas?", "descargar la factura", "Descargué facturas"]
    keys = {topic_key("billing_question", q, "es") for q in questions}
    assert keys == {"billing_question:descarg-factur"}
    assert len({topic_key("billing_question", q) for q in questions}) > 1  # English stems
    assert topic_label("billing_question:descarg-factur", questions) == "descargar facturas"


def test_plain_text_resolves_slack_markup() -> None:
    text = "Hi <@U0CUST|jo> <!here>, see <https://x.example/a|the page> in <#C1|billing>"
    text += " &amp; &lt;b&gt;"
    assert plain_text(text) == "Hi @jo @here, see the page (https://x.example/a) in #billing & <b>"


# -- recording ------------------------------------------------------------------------------


def test_record_gap_takes_intent_first_question_and_note(engine: Engine) -> None:
    escalation_id = resolved_escalation(
        engine, question="How do I export invoices to &lt;QuickBooks&gt;?"
    )
    with session_scope(engine) as session:
        row = record_gap(session=session, escalation_id=escalation_id)
        again = record_gap(session=session, escalation_id=escalation_id)
    assert row is not None and again is not None and again.id == row.id
    [stored] = gaps(engine)
    assert stored.escalation_id == escalation_id
    assert stored.intent == "billing_question"
    assert stored.question == "How do I export invoices to <QuickBooks>?"  # not the follow-up
    assert stored.topic == "billing_question:export-invoic-quickbook"
    assert stored.resolution_note == "Settings > Billing > Export, then pick the QuickBooks format."
    assert stored.status == "open" and stored.flagged_at is None and stored.digested_at is None
    # A later call, in a new session, is still a no-op.
    with session_scope(engine) as session:
        assert record_gap(session=session, escalation_id=escalation_id) is not None
    assert len(gaps(engine)) == 1


def test_the_topic_of_a_gap_is_stemmed_in_the_conversation_language(engine: Engine) -> None:
    spanish = gap(engine, "¿Cómo descargo mis facturas?", language="es")
    unknown = gap(engine, "¿Cómo descargo mis facturas?")
    assert spanish.topic == "billing_question:descarg-factur"
    assert unknown.topic == "billing_question:descargo-factura"  # the escalation's language: en


def test_only_escalations_resolved_as_knowledge_gaps_are_queued(engine: Engine) -> None:
    edge = resolved_escalation(engine, question="Odd one", tag="edge_case")
    claimed = resolved_escalation(engine, question="Still open", status="claimed")
    with session_scope(engine) as session:
        assert record_gap(session=session, escalation_id=edge) is None
        assert record_gap(session=session, escalation_id=claimed) is None
        assert record_gap(session=session, escalation_id=999_999) is None
    assert gaps(engine) == []


def test_intent_falls_back_to_the_triage_decision(engine: Engine) -> None:
    escalation_id = resolved_escalation(engine, question="Webhook retries?", intent=None)
    with session_scope(engine) as session:
        escalation = session.get(Escalation, escalation_id)
        assert escalation is not None
        decision = TriageDecision(
            conversation_id=escalation.conversation_id,
            escalate=True,
            triggers="[]",
            intent="integration",
            sentiment=0.0,
            language="en",
            confidence=0.1,
            backend="offline",
        )
        session.add(decision)
        session.flush()
        escalation.decision_id = decision.id
        session.add(escalation)
    with session_scope(engine) as session:
        row = record_gap(session=session, escalation_id=escalation_id)
    assert row is not None and row.intent == "integration"
    assert row.topic == "integration:retri-webhook"


# -- hot topics -----------------------------------------------------------------------------


def test_a_topic_is_flagged_once_when_it_reaches_the_threshold(engine: Engine) -> None:
    for index, question in enumerate(EXPORT_QUESTIONS[:4]):
        gap(engine, question, resolved_at=NOW - timedelta(days=index))
    gap(engine, EXPORT_QUESTIONS[4], resolved_at=NOW - timedelta(days=8))  # outside the window
    gap(engine, "Where is the audit log?", intent="security")
    with session_scope(engine) as session:
        assert topics_to_flag(team_id="single", session=session, now=NOW, threshold=5) == []
        [hot] = topics_to_flag(team_id="single", session=session, now=NOW, threshold=4)
    assert (hot.topic, hot.intent, hot.count) == (
        "billing_question:export-invoic-quickbook",
        "billing_question",
        4,
    )
    with session_scope(engine) as session:
        assert flag_topic(team_id="single", session=session, topic=hot.topic, now=NOW, threshold=4)
    with session_scope(engine) as session:
        assert not flag_topic(
            team_id="single", session=session, topic=hot.topic, now=NOW, threshold=4
        )
        assert topics_to_flag(team_id="single", session=session, now=NOW, threshold=4) == []
    flagged = [g for g in gaps(engine) if g.flagged_at is not None]
    assert len(flagged) == 4
    # One more gap on the topic is not a new burst.
    gap(engine, EXPORT_QUESTIONS[0])
    with session_scope(engine) as session:
        assert topics_to_flag(team_id="single", session=session, now=NOW, threshold=4) == []
        assert not flag_topic(
            team_id="single", session=session, topic=hot.topic, now=NOW, threshold=4
        )


def test_unflag_lets_a_later_run_alert_again(engine: Engine) -> None:
    for question in EXPORT_QUESTIONS[:2]:
        gap(engine, question)
    topic = gaps(engine)[0].topic
    with session_scope(engine) as session:
        assert flag_topic(team_id="single", session=session, topic=topic, now=NOW, threshold=2)
    with session_scope(engine) as session:
        assert unflag_topic(team_id="single", session=session, topic=topic, flagged_at=NOW) == 2
    with session_scope(engine) as session:
        assert [
            t.topic for t in topics_to_flag(team_id="single", session=session, now=NOW, threshold=2)
        ] == [topic]


def test_two_workers_flag_a_topic_once(engine: Engine) -> None:
    for question in EXPORT_QUESTIONS:
        gap(engine, question)
    topic = gaps(engine)[0].topic
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        with session_scope(engine) as session:
            results.append(
                flag_topic(team_id="single", session=session, topic=topic, now=NOW, threshold=5)
            )

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]


# -- the digest -----------------------------------------------------------------------------


def test_digest_groups_open_undigested_gaps_by_intent_then_topic(engine: Engine) -> None:
    for question in EXPORT_QUESTIONS[:3]:
        gap(engine, question, resolved_at=NOW - timedelta(days=1))
    gap(engine, "Can I pay by SEPA direct debit?", channel=GLOBEX, note=None)
    gap(engine, "Where is the audit log?", intent="security", note="Admin > Audit log.")
    old = gap(engine, "Export invoices to QuickBooks?", resolved_at=NOW - timedelta(days=30))
    done = gap(engine, "How do I export invoices to QuickBooks?")
    shown_before = gap(engine, "Can we export invoices to QuickBooks?")
    with session_scope(engine) as session:
        assert mark_article_written(
            session=session, gap_ids=[done.id or 0], user_id="U0LEAD1", now=NOW
        )
        assert mark_digested(session=session, gap_ids=[shown_before.id or 0], now=NOW) == 1
    with session_scope(engine) as session:
        report = digest(team_id="single", session=session, now=NOW, since=NOW - timedelta(days=7))

    assert report.total == 5
    assert [(g.intent, g.count) for g in report.intents] == [
        ("billing_question", 4),
        ("security", 1),
    ]
    billing = report.intents[0]
    assert [(t.topic, t.count) for t in billing.topics] == [
        ("billing_question:export-invoic-quickbook", 3),
        ("billing_question:debit-direct-sepa", 1),
    ]
    export = billing.topics[0]
    assert export.label == "export invoices quickbooks"
    assert {g.question for g in export.gaps} == set(EXPORT_QUESTIONS[:3])
    assert all(g.channel_id == ACME and g.thread_ts for g in export.gaps)
    assert {g.resolution_note for g in export.gaps} == {
        "Settings > Billing > Export, then pick the QuickBooks format."
    }
    sepa = billing.topics[1].gaps[0]
    assert sepa.channel_id == GLOBEX and sepa.resolution_note is None
    assert old.id not in report.gap_ids and shown_before.id not in report.gap_ids
    assert report.backlog == 2  # the old one and the one already digested
    assert len(set(report.gap_ids)) == 5


def test_digested_gaps_are_not_shown_again(engine: Engine) -> None:
    gap(engine, EXPORT_QUESTIONS[0])
    with session_scope(engine) as session:
        assert previous_digest_at(team_id="single", session=session) is None
        first = digest(team_id="single", session=session, now=NOW, since=NOW - timedelta(days=7))
        assert mark_digested(session=session, gap_ids=first.gap_ids, now=NOW) == 1
        assert mark_digested(session=session, gap_ids=first.gap_ids, now=NOW) == 0
    with session_scope(engine) as session:
        assert previous_digest_at(team_id="single", session=session) is not None
        later = NOW + timedelta(days=7)
        assert digest(team_id="single", session=session, now=later, since=NOW).is_empty


# -- articles -------------------------------------------------------------------------------


def test_marking_a_topic_written_closes_its_open_gaps_once(engine: Engine) -> None:
    for question in EXPORT_QUESTIONS[:3]:
        gap(engine, question)
    other = gap(engine, "Where is the audit log?", intent="security")
    topic = gaps(engine)[0].topic
    with session_scope(engine) as session:
        assert article_writer(session=session, topic=topic) is None
        assert mark_article_written(session=session, topic=topic, user_id="U0LEAD1", now=NOW) == 3
    with session_scope(engine) as session:
        assert mark_article_written(session=session, topic=topic, user_id="U0AGENT1", now=NOW) == 0
        writer = article_writer(session=session, topic=topic)
    assert writer is not None and writer[0] == "U0LEAD1"
    rows = {g.id: g for g in gaps(engine)}
    assert rows[other.id].status == "open"
    assert [g.article_written_by for g in rows.values() if g.topic == topic] == ["U0LEAD1"] * 3


def test_a_key_no_gap_has_now_names_the_gaps_that_had_it_before(engine: Engine) -> None:
    """Buttons posted before migration 0022 carry the old keys it kept in ``previous_topic``;
    a key some gap has now means that gap's topic."""
    export = gap(engine, EXPORT_QUESTIONS[0])
    audit = gap(engine, "Where is the audit log?", intent="security")
    renamed = gap(engine, "How do I reset 2FA codes?", intent="security")
    with session_scope(engine) as session:
        for row, previous in (
            (export, "billing_question:export-invoic-quickbooks"),
            (renamed, audit.topic),
        ):
            stored = session.get(KnowledgeGap, row.id)
            assert stored is not None
            stored.previous_topic = previous
    old_key = "billing_question:export-invoic-quickbooks"
    with session_scope(engine) as session:
        assert mark_article_written(session=session, topic=old_key, user_id="U0LEAD1", now=NOW) == 1
        assert (
            mark_article_written(session=session, topic=audit.topic, user_id="U0LEAD1", now=NOW)
            == 1
        )
    with session_scope(engine) as session:
        writer = article_writer(session=session, topic=old_key)
    assert writer is not None and writer[0] == "U0LEAD1"
    rows = {g.id: g.status for g in gaps(engine)}
    assert rows == {export.id: "article_written", audit.id: "article_written", renamed.id: "open"}


def test_marking_by_ids_needs_exactly_one_selector(engine: Engine) -> None:
    row = gap(engine, EXPORT_QUESTIONS[0])
    with session_scope(engine) as session:
        with pytest.raises(ValueError):
            mark_article_written(session=session, user_id="U0LEAD1", now=NOW)
        with pytest.raises(ValueError):
            mark_article_written(
                session=session, gap_ids=[1], topic=row.topic, user_id="U0LEAD1", now=NOW
            )
        assert mark_article_written(session=session, gap_ids=[], user_id="U0LEAD1", now=NOW) == 0
        assert (
            mark_article_written(session=session, gap_ids=[row.id or 0], user_id="U0LEAD1", now=NOW)
            == 1
        )
