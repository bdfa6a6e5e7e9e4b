"""The demo data seeder: counts, consistency and determinism on a small history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.engine import Engine

from app.db.engine import make_engine, session_scope
from app.db.models import Account, Conversation, as_utc
from app.db.schema import upgrade
from app.metrics.tables import ACCOUNTS, CONVERSATIONS, CSAT_RATINGS, ESCALATIONS
from sandbox.seed import seed_demo_data

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def count(engine: Engine, table: Table, *where: Any) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(table).where(*where)).one()[0]
        )


def test_counts_match_the_summary(engine: Engine) -> None:
    summary = seed_demo_data(engine=engine, conversations=1_200, now=NOW, batch_size=500)

    assert summary.conversations == count(engine, CONVERSATIONS) == 1_200
    assert summary.accounts == count(engine, ACCOUNTS) == 6
    assert summary.escalations == count(engine, ESCALATIONS) > 0
    assert summary.csat_ratings == count(engine, CSAT_RATINGS) > 0
    assert (summary.start, summary.end) == (NOW - timedelta(days=180), NOW)
    conv = CONVERSATIONS.c
    assert count(engine, CONVERSATIONS, conv.created_at < summary.start) == 0
    assert count(engine, CONVERSATIONS, conv.created_at >= summary.end) == 0
    # every escalation belongs to an escalated conversation, and only those
    assert summary.escalations == count(engine, CONVERSATIONS, conv.escalated_at.is_not(None))
    assert 0.05 < summary.escalations / summary.conversations < 0.4


def test_every_tier_and_kind_is_present(engine: Engine) -> None:
    seed_demo_data(engine=engine, conversations=200, now=NOW)
    with engine.connect() as connection:
        tiers = set(connection.execute(select(ACCOUNTS.c.tier)).scalars())
        statuses = set(connection.execute(select(ESCALATIONS.c.status)).scalars())
        kinds = set(connection.execute(select(CSAT_RATINGS.c.kind)).scalars())
        conversation_statuses = set(connection.execute(select(CONVERSATIONS.c.status)).scalars())
    assert tiers == {"enterprise", "pro", "free"}
    assert statuses <= {"pending", "claimed", "resolved"} and "resolved" in statuses
    assert kinds == {"escalation", "ai"}
    assert {"contained", "answered", "resolved"} <= conversation_statuses


def test_times_are_consistent(engine: Engine) -> None:
    seed_demo_data(engine=engine, conversations=500, now=NOW)
    esc = ESCALATIONS.c
    assert count(engine, ESCALATIONS, esc.claimed_at < esc.created_at) == 0
    assert count(engine, ESCALATIONS, esc.resolved_at < esc.claimed_at) == 0
    assert count(engine, ESCALATIONS, esc.resolved_at >= NOW) == 0
    assert count(engine, ESCALATIONS, esc.status == "resolved", esc.resolved_at.is_(None)) == 0
    assert count(engine, ESCALATIONS, esc.status == "pending", esc.claimed_at.is_not(None)) == 0
    csat = CSAT_RATINGS.c
    assert count(engine, CSAT_RATINGS, csat.rating.is_not(None), csat.rated_at.is_(None)) == 0
    assert count(engine, CSAT_RATINGS, (csat.rating < 1) | (csat.rating > 5)) == 0


def _snapshot(engine: Engine) -> list[tuple[Any, ...]]:
    conv, esc = CONVERSATIONS.c, ESCALATIONS.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(conv.id, conv.account_id, conv.intent, conv.status, conv.created_at)
            .add_columns(esc.claimed_at, esc.resolved_at, esc.skill)
            .outerjoin(ESCALATIONS, esc.conversation_id == conv.id)
            .order_by(conv.id)
        ).all()
    return [tuple(as_utc(v) if isinstance(v, datetime) else v for v in row) for row in rows]


def test_deterministic_for_a_seed(tmp_path: Any) -> None:
    engines = []
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade(engine)
        seed_demo_data(engine=engine, conversations=300, seed=seed, now=NOW, batch_size=64)
        engines.append(engine)
    first, again, other = (_snapshot(engine) for engine in engines)
    assert first == again
    assert first != other
    for engine in engines:
        engine.dispose()


def test_rows_added_later_get_fresh_ids(engine: Engine) -> None:
    """After a seed (ids chosen by the seeder) the application can still insert rows."""
    seed_demo_data(engine=engine, conversations=50, now=NOW)
    with session_scope(engine) as session:
        account = Account(name="Later", channel_id="C0LATER", tier="pro")
        session.add(account)
        session.flush()
        assert account.id is not None
        conversation = Conversation(
            account_id=account.id, channel_id="C0LATER", thread_ts="1.0", customer_user_id="U0X"
        )
        session.add(conversation)
        session.flush()
        assert conversation.id == 51


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="conversations"):
        seed_demo_data(engine=make_engine("sqlite://"), conversations=-1, now=NOW)
