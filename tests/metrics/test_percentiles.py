"""Duration percentiles (ordered index scans on SQLite, percentile_cont on PostgreSQL) equal
the reference window-function query, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db.engine import session_scope
from app.db.models import Account, Conversation, Escalation
from app.metrics.percentiles import duration_percentiles, sqlite_duration
from app.metrics.sql import duration_seconds, percentile_select
from app.metrics.tables import ESCALATIONS
from app.metrics.windows import Window

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
WINDOW = Window(NOW - timedelta(days=10), NOW)
POINTS = (0, 50, 90, 100)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_scope(engine) as session:
        yield session


def escalations(session: Session, count: int, seed: int) -> None:
    """``count`` escalations with random resolve and claim times, in and out of the window."""
    rng = random.Random(seed)
    accounts = {}
    for tier in ("pro", "enterprise"):
        account = Account(name=tier, channel_id=f"C0{tier}", tier=tier)
        session.add(account)
        session.flush()
        accounts[tier] = account
    for index in range(count):
        tier = rng.choice(("pro", "enterprise"))
        account = accounts[tier]
        assert account.id is not None
        created = NOW - timedelta(days=rng.uniform(0, 20))
        conversation = Conversation(
            account_id=account.id,
            channel_id=account.channel_id,
            thread_ts=f"{index}.0",
            customer_user_id="U0C",
            status="escalated",
            intent="how_to",
            created_at=created,
        )
        session.add(conversation)
        session.flush()
        assert conversation.id is not None
        claimed = created + timedelta(seconds=rng.randrange(10, 5_000))
        resolved = claimed + timedelta(seconds=rng.randrange(60, 400_000))
        session.add(
            Escalation(
                conversation_id=conversation.id,
                account_id=account.id,
                skill=rng.choice(("billing", "technical")),
                language="en",
                tier=tier,
                routed_channel="C0AGENTS",
                claim_deadline=created + timedelta(minutes=15),
                claimed_at=claimed if rng.random() < 0.9 else None,
                resolved_at=resolved if rng.random() < 0.8 else None,
                created_at=created,
            )
        )
    session.flush()


def reference(session: Session, end: str, *clauses: object) -> tuple[int, list[float | None]]:
    esc = ESCALATIONS.c
    dialect = session.get_bind().dialect.name
    ended = esc[end]
    values = select(duration_seconds(dialect, ended, esc.created_at)).where(
        ended >= WINDOW.start, ended < WINDOW.end, *clauses
    )
    statement = percentile_select(values, POINTS, dialect=dialect, portable=True)
    n, *found = session.execute(statement).one()
    return int(n), [None if value is None else float(value) for value in found]


@pytest.mark.parametrize("count", [1, 2, 7, 40, 151])
@pytest.mark.parametrize("end", ["resolved_at", "claimed_at"])
def test_percentiles_equal_the_reference_query(session: Session, count: int, end: str) -> None:
    escalations(session, count, seed=count)
    esc = ESCALATIONS.c
    for clauses in ([], [esc.tier == "enterprise"], [esc.tier == "pro", esc.skill == "billing"]):
        n, found = duration_percentiles(
            session, end=end, window=WINDOW, points=POINTS, clauses=clauses
        )
        expected_n, expected = reference(session, end, *clauses)
        assert n == expected_n
        assert found == pytest.approx(expected)


def test_no_durations_give_none(session: Session) -> None:
    escalations(session, 5, seed=1)
    empty = Window(NOW + timedelta(days=1), NOW + timedelta(days=2))
    assert duration_percentiles(session, end="resolved_at", window=empty, points=(50, 90)) == (
        0,
        [None, None],
    )


def test_only_indexed_durations() -> None:
    with pytest.raises(ValueError, match="no duration index"):
        sqlite_duration("created_at")
