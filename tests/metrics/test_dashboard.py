"""The lead dashboard's aggregates on hand-built rows with known answers, on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db.models import Account, Conversation, Escalation, KnowledgeGap, TriageDecision
from app.metrics.dashboard import (
    AGE_BUCKETS,
    daily_escalation_rates,
    knowledge_gap_queue_size,
    open_escalations_by_age,
    top_escalation_intents,
)
from app.metrics.windows import window_for

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
WINDOW, _ = window_for(30, NOW)
Row = TypeVar("Row", Account, Conversation, Escalation, KnowledgeGap, TriageDecision)


class Rows:
    """Builds conversations, triage decisions, escalations and gaps with chosen values."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.threads = 0
        self.account = self._saved(Account(name="Acme", channel_id="C0ACME", tier="pro"))

    def conversation(
        self, *, at: datetime, intent: str | None = None, escalated: bool = False
    ) -> Conversation:
        assert self.account.id is not None
        self.threads += 1
        return self._saved(
            Conversation(
                account_id=self.account.id,
                channel_id=self.account.channel_id,
                thread_ts=f"{self.threads}.0",
                customer_user_id="U0CUSTOMER",
                status="escalated" if escalated else "answered",
                intent=intent,
                created_at=at,
                updated_at=at,
                escalated_at=at + timedelta(seconds=30) if escalated else None,
            )
        )

    def escalation(
        self,
        *,
        at: datetime,
        decision_intent: str | None = None,
        conversation_intent: str | None = None,
        status: str = "pending",
    ) -> Escalation:
        conversation = self.conversation(at=at, intent=conversation_intent, escalated=True)
        assert conversation.id is not None and self.account.id is not None
        decision_id = None
        if decision_intent is not None:
            decision = self._saved(
                TriageDecision(
                    conversation_id=conversation.id,
                    escalate=True,
                    triggers="[]",
                    intent=decision_intent,
                    sentiment=0.0,
                    language="en",
                    confidence=0.9,
                    backend="rules",
                    created_at=at,
                )
            )
            decision_id = decision.id
        return self._saved(
            Escalation(
                conversation_id=conversation.id,
                decision_id=decision_id,
                account_id=self.account.id,
                skill="general",
                language="en",
                tier="pro",
                status=status,
                routed_channel="C0AGENTS",
                claim_deadline=at + timedelta(minutes=15),
                claimed_by="U0AGENT" if status != "pending" else None,
                claimed_at=at + timedelta(minutes=1) if status != "pending" else None,
                resolved_at=at + timedelta(minutes=5) if status == "resolved" else None,
                created_at=at,
                updated_at=at,
            )
        )

    def gap(self, *, status: str) -> KnowledgeGap:
        escalation = self.escalation(at=NOW - timedelta(days=2), status="resolved")
        assert escalation.id is not None
        return self._saved(
            KnowledgeGap(
                escalation_id=escalation.id,
                intent="how_to",
                topic=f"how_to:topic-{escalation.id}",
                question="How do I export invoices?",
                status=status,
            )
        )

    def _saved(self, row: Row) -> Row:
        self.session.add(row)
        self.session.flush()
        return row


@pytest.fixture
def rows(engine: Engine) -> Iterator[Rows]:
    """Rows to build; ``rows.session.commit()`` them before querying in a new session."""
    with Session(engine) as session:
        yield Rows(session)


# -- top escalation intents ------------------------------------------------------------------


def test_top_intents_count_the_decision_intent_then_the_conversation_intent(
    engine: Engine, rows: Rows
) -> None:
    for hours in (1, 30, 200):  # the decision's intent wins over the conversation's
        rows.escalation(
            at=NOW - timedelta(hours=hours),
            decision_intent="billing_dispute",
            conversation_intent="how_to",
        )
    for hours in (2, 3):
        rows.escalation(at=NOW - timedelta(hours=hours), decision_intent="outage")
    for days in (4, 5):  # no decision: the conversation's intent
        rows.escalation(at=NOW - timedelta(days=days), conversation_intent="bug_report")
    rows.escalation(at=NOW - timedelta(days=6))  # neither: what the hand-off card shows
    rows.escalation(at=WINDOW.start, decision_intent="security")  # the window's first instant
    rows.escalation(at=NOW, decision_intent="legal")  # the window ends before now
    rows.escalation(at=NOW - timedelta(days=40), decision_intent="legal")
    rows.conversation(at=NOW - timedelta(hours=1), intent="legal")  # never escalated
    rows.session.commit()

    with Session(engine) as session:
        top = top_escalation_intents(session=session, window=WINDOW)
        top_two = top_escalation_intents(session=session, window=WINDOW, limit=2)
        everything = top_escalation_intents(session=session, window=WINDOW, limit=50)

    assert top == [
        ("billing_dispute", 3),
        ("bug_report", 2),  # ties by name
        ("outage", 2),
        ("human_request", 1),
        ("security", 1),
    ]
    assert top_two == top[:2]
    assert everything == top


def test_top_intents_of_an_empty_window(engine: Engine, rows: Rows) -> None:
    rows.escalation(at=NOW - timedelta(days=60), decision_intent="outage")
    rows.session.commit()
    with Session(engine) as session:
        assert top_escalation_intents(session=session, window=WINDOW) == []
        with pytest.raises(ValueError, match="limit"):
            top_escalation_intents(session=session, window=WINDOW, limit=0)


# -- open escalations by age -----------------------------------------------------------------


def test_open_escalations_fall_into_age_buckets(engine: Engine, rows: Rows) -> None:
    ages = {
        "< 15 min": [timedelta(minutes=5), timedelta(minutes=14, seconds=59)],
        "15-60 min": [timedelta(minutes=15), timedelta(minutes=59)],
        "1-4 h": [timedelta(hours=1), timedelta(hours=3)],
        "4-24 h": [timedelta(hours=5), timedelta(hours=23, minutes=59)],
        "> 1 day": [timedelta(days=1), timedelta(days=3), timedelta(days=90)],
    }
    for bucket_ages in ages.values():
        for age in bucket_ages:
            rows.escalation(at=NOW - age)
    rows.escalation(at=NOW - timedelta(hours=2), status="claimed")  # claimed is still open
    for age in (timedelta(minutes=1), timedelta(hours=2), timedelta(days=2)):
        rows.escalation(at=NOW - age, status="resolved")  # resolved ones are not open
    rows.session.commit()

    with Session(engine) as session:
        by_age = open_escalations_by_age(session=session, now=NOW)

    assert by_age == [
        ("< 15 min", 2),
        ("15-60 min", 2),
        ("1-4 h", 3),
        ("4-24 h", 2),
        ("> 1 day", 3),
    ]


def test_every_age_bucket_is_listed_when_nothing_is_open(engine: Engine, rows: Rows) -> None:
    rows.escalation(at=NOW - timedelta(hours=1), status="resolved")
    rows.session.commit()
    with Session(engine) as session:
        by_age = open_escalations_by_age(session=session, now=NOW)
    assert by_age == [(label, 0) for label, _ in AGE_BUCKETS]


def test_age_buckets_follow_the_given_now(engine: Engine, rows: Rows) -> None:
    rows.escalation(at=NOW - timedelta(minutes=10))
    rows.session.commit()
    with Session(engine) as session:
        later = open_escalations_by_age(session=session, now=NOW + timedelta(hours=2))
        naive = open_escalations_by_age(session=session, now=NOW.replace(tzinfo=None))
    assert dict(later)["1-4 h"] == 1
    assert dict(naive)["< 15 min"] == 1  # a naive time is UTC


# -- knowledge-gap queue ---------------------------------------------------------------------


def test_knowledge_gap_queue_counts_open_gaps(engine: Engine, rows: Rows) -> None:
    with Session(engine) as session:
        assert knowledge_gap_queue_size(session=session) == 0
    for _ in range(3):
        rows.gap(status="open")
    for _ in range(2):
        rows.gap(status="article_written")
    rows.session.commit()
    with Session(engine) as session:
        assert knowledge_gap_queue_size(session=session) == 3


# -- daily escalation rates ------------------------------------------------------------------


def _utc(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)


def test_daily_rates_list_every_day_with_conversations_and_escalations(
    engine: Engine, rows: Rows
) -> None:
    apr26, apr27, apr29, may1 = date(2026, 4, 26), date(2026, 4, 27), date(2026, 4, 29), NOW.date()
    rows.conversation(at=_utc(apr26, 23, 59, 59), escalated=True)  # before the first day
    rows.conversation(at=_utc(apr27, 9), escalated=True)
    rows.conversation(at=_utc(apr27, 17))
    rows.conversation(at=_utc(apr29), escalated=True)  # midnight UTC belongs to its day
    rows.conversation(at=_utc(apr29, 12))
    rows.conversation(at=_utc(apr29, 23, 59, 59), escalated=True)
    rows.conversation(at=_utc(may1, 11), escalated=True)
    rows.conversation(at=_utc(may1, 13))  # after now
    rows.session.commit()

    with Session(engine) as session:
        if session.get_bind().dialect.name == "postgresql":
            # the day is the UTC day whatever the session's time zone
            session.execute(text("SET TIME ZONE 'America/New_York'"))
        rates = daily_escalation_rates(session=session, days=5, now=NOW)

    assert rates == [
        (apr27, 2, 1),
        (date(2026, 4, 28), 0, 0),
        (apr29, 3, 2),
        (date(2026, 4, 30), 0, 0),
        (may1, 1, 1),
    ]


def test_daily_rates_without_conversations_are_all_zero(engine: Engine) -> None:
    with Session(engine) as session:
        rates = daily_escalation_rates(session=session, days=30, now=NOW)
        today = daily_escalation_rates(session=session, days=1, now=NOW)
        with pytest.raises(ValueError, match="days"):
            daily_escalation_rates(session=session, days=0, now=NOW)
    assert len(rates) == 30
    assert rates[0][0] == NOW.date() - timedelta(days=29)
    assert rates[-1][0] == NOW.date()
    assert [day for day, _, _ in rates] == sorted(day for day, _, _ in rates)
    assert all(total == 0 and escalated == 0 for _, total, escalated in rates)
    assert today == [(NOW.date(), 0, 0)]
