"""The day rollup and the copied escalation intent that the database triggers keep, and the
conversation counts read from them, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine

from app.db.engine import session_scope
from app.db.models import Account, Conversation, Escalation
from app.metrics.day_counts import day_count_rows, whole_days
from app.metrics.kpi_queries import KpiQueryContext, conversation_counts_statement
from app.metrics.segments import Segment
from app.metrics.tables import ACCOUNTS, CONVERSATIONS, DAY_COUNTS, ESCALATIONS
from app.metrics.windows import Window

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def rollup(engine: Engine) -> Counter[tuple[str, str, str, str]]:
    """The rollup's non-zero counts, as ``(day, tier, intent, what) -> count``."""
    dc = DAY_COUNTS.c
    counts: Counter[tuple[str, str, str, str]] = Counter()
    with engine.connect() as connection:
        for day, tier, intent, n, escalated, contained in connection.execute(
            select(dc.day, dc.tier, dc.intent, dc.conversations, dc.escalated, dc.contained)
        ):
            for what, value in (("n", n), ("escalated", escalated), ("contained", contained)):
                counts[(str(day), tier, intent, what)] += value  # every installation
    return +counts


def recounted(engine: Engine) -> Counter[tuple[str, str, str, str]]:
    """The same counts from the conversations themselves."""
    conv = CONVERSATIONS.c
    counts: Counter[tuple[str, str, str, str]] = Counter()
    with engine.connect() as connection:
        rows = connection.execute(
            select(conv.created_at, ACCOUNTS.c.tier, conv.intent, conv.escalated_at, conv.status)
            .select_from(CONVERSATIONS)
            .join(ACCOUNTS, ACCOUNTS.c.id == conv.account_id)
        )
        for created_at, tier, intent, escalated_at, status in rows:
            key = (created_at.date().isoformat(), tier, intent or "")
            counts[(*key, "n")] += 1
            counts[(*key, "escalated")] += escalated_at is not None
            counts[(*key, "contained")] += status == "contained"
    return +counts


class Writes:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.threads = 0

    def account(self, tier: str) -> int:
        self.threads += 1
        with session_scope(self.engine) as session:
            account = Account(name=f"A{self.threads}", channel_id=f"C0A{self.threads}", tier=tier)
            session.add(account)
            session.flush()
            assert account.id is not None
            return account.id

    def conversation(
        self, account_id: int, at: datetime, *, intent: str | None = "how_to", status: str = "open"
    ) -> int:
        self.threads += 1
        with session_scope(self.engine) as session:
            conversation = Conversation(
                account_id=account_id,
                channel_id="C0X",
                thread_ts=f"{self.threads}.0",
                customer_user_id="U0C",
                status=status,
                intent=intent,
                created_at=at,
                escalated_at=at + timedelta(minutes=1) if status == "escalated" else None,
            )
            session.add(conversation)
            session.flush()
            assert conversation.id is not None
            return conversation.id

    def escalation(self, conversation_id: int, account_id: int, at: datetime) -> int:
        with session_scope(self.engine) as session:
            escalation = Escalation(
                conversation_id=conversation_id,
                account_id=account_id,
                skill="general",
                language="en",
                tier="pro",
                routed_channel="C0AGENTS",
                claim_deadline=at + timedelta(minutes=15),
                created_at=at,
            )
            session.add(escalation)
            session.flush()
            assert escalation.id is not None
            return escalation.id

    def update_conversation(self, conversation_id: int, **values: object) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(CONVERSATIONS).where(CONVERSATIONS.c.id == conversation_id).values(**values)
            )


@pytest.fixture
def writes(engine: Engine) -> Writes:
    return Writes(engine)


def test_inserts_are_counted_per_day_tier_and_intent(engine: Engine, writes: Writes) -> None:
    pro, free = writes.account("pro"), writes.account("free")
    writes.conversation(pro, NOW)
    writes.conversation(pro, NOW + timedelta(hours=11, minutes=59))  # same UTC day
    writes.conversation(pro, NOW + timedelta(hours=12))  # the next day
    writes.conversation(free, NOW, intent=None, status="contained")
    writes.conversation(free, NOW, intent="outage", status="escalated")

    counts = rollup(engine)

    assert counts[("2026-05-01", "pro", "how_to", "n")] == 2
    assert counts[("2026-05-02", "pro", "how_to", "n")] == 1
    assert counts[("2026-05-01", "free", "", "contained")] == 1
    assert counts[("2026-05-01", "free", "outage", "escalated")] == 1
    assert counts == recounted(engine)


def test_updates_deletes_and_tier_changes_keep_the_counts_exact(
    engine: Engine, writes: Writes
) -> None:
    pro, enterprise = writes.account("pro"), writes.account("enterprise")
    first = writes.conversation(pro, NOW)
    second = writes.conversation(pro, NOW - timedelta(days=3), intent="billing_question")
    third = writes.conversation(enterprise, NOW - timedelta(days=1), status="contained")

    writes.update_conversation(first, status="escalated", escalated_at=NOW + timedelta(hours=1))
    assert rollup(engine) == recounted(engine)
    writes.update_conversation(second, intent="billing_dispute")
    writes.update_conversation(third, created_at=NOW - timedelta(days=2), status="answered")
    writes.update_conversation(first, account_id=enterprise)
    assert rollup(engine) == recounted(engine)
    writes.update_conversation(second, status="contained", updated_at=NOW)  # and a no-op column
    with engine.begin() as connection:
        connection.execute(delete(CONVERSATIONS).where(CONVERSATIONS.c.id == third))
        connection.execute(update(ACCOUNTS).where(ACCOUNTS.c.id == enterprise).values(tier="free"))

    counts = rollup(engine)

    assert counts == recounted(engine)
    assert not any(tier == "enterprise" for _day, tier, _intent, _what in counts)
    assert counts[("2026-05-01", "free", "how_to", "escalated")] == 1


def test_a_rolled_back_write_leaves_no_count(engine: Engine, writes: Writes) -> None:
    pro = writes.account("pro")
    writes.conversation(pro, NOW)
    with pytest.raises(RuntimeError), engine.begin() as connection:
        connection.execute(update(ACCOUNTS).values(tier="enterprise"))
        raise RuntimeError("abort")

    assert rollup(engine) == recounted(engine) == {("2026-05-01", "pro", "how_to", "n"): 1}


def test_escalations_carry_their_conversations_intent(engine: Engine, writes: Writes) -> None:
    pro = writes.account("pro")
    conversation = writes.conversation(pro, NOW, intent="outage", status="escalated")
    other = writes.conversation(pro, NOW, intent=None)
    escalation = writes.escalation(conversation, pro, NOW)

    def intent() -> str | None:
        with engine.connect() as connection:
            return connection.execute(
                select(ESCALATIONS.c.intent).where(ESCALATIONS.c.id == escalation)
            ).scalar_one()

    assert intent() == "outage"
    writes.update_conversation(conversation, intent="legal")
    assert intent() == "legal"
    with engine.begin() as connection:  # a direct write cannot make it disagree
        connection.execute(
            update(ESCALATIONS).where(ESCALATIONS.c.id == escalation).values(intent="how_to")
        )
    assert intent() == "legal"
    with engine.begin() as connection:
        connection.execute(
            update(ESCALATIONS).where(ESCALATIONS.c.id == escalation).values(conversation_id=other)
        )
    assert intent() is None


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 4, 3, tzinfo=UTC), ("04-01", "04-03")),
        (
            datetime(2026, 4, 1, 9, tzinfo=UTC),
            datetime(2026, 4, 3, 9, tzinfo=UTC),
            ("04-02", "04-03"),
        ),
        (datetime(2026, 4, 1, 9, tzinfo=UTC), datetime(2026, 4, 2, 9, tzinfo=UTC), None),
        (datetime(2026, 4, 1, 9, tzinfo=UTC), datetime(2026, 4, 1, 10, tzinfo=UTC), None),
    ],
)
def test_whole_days_of_a_window(
    start: datetime, end: datetime, expected: tuple[str, str] | None
) -> None:
    days = whole_days(Window(start, end))
    if expected is None:
        assert days is None
    else:
        assert days is not None
        assert tuple(day.isoformat()[5:] for day in days) == expected


def test_sums_match_the_direct_count_for_windows_with_partial_days(
    engine: Engine, writes: Writes
) -> None:
    pro = writes.account("pro")
    times = [NOW - timedelta(hours=7 * index) for index in range(40)]
    for index, at in enumerate(times):
        writes.conversation(pro, at, status="escalated" if index % 3 == 0 else "open")
    windows = [
        Window(NOW - timedelta(days=5, hours=3), NOW - timedelta(hours=2)),
        Window(NOW - timedelta(days=9), NOW - timedelta(days=2)),
        Window(NOW - timedelta(hours=30), NOW - timedelta(hours=20)),
    ]
    for window in windows:
        rows = day_count_rows(window)
        with engine.connect() as connection:
            n, escalated = connection.execute(
                select(func.sum(rows.c.conversations), func.sum(rows.c.escalated))
            ).one()
        inside = [i for i, at in enumerate(times) if window.start <= at < window.end]
        assert n == len(inside), window
        assert escalated == sum(1 for i in inside if i % 3 == 0), window


def test_installations_are_counted_apart(engine: Engine, writes: Writes) -> None:
    pro = writes.account("pro")
    ours = writes.conversation(pro, NOW - timedelta(days=2), status="escalated")
    writes.conversation(pro, NOW - timedelta(days=2))
    writes.update_conversation(ours, team_id="T0OTHER")
    window = Window(NOW - timedelta(days=5, hours=3), NOW)
    dc = DAY_COUNTS.c
    with engine.connect() as connection:
        teams = dict(
            connection.execute(
                select(dc.team_id, func.sum(dc.conversations)).group_by(dc.team_id)
            ).all()
        )
        assert teams.pop("T0OTHER") == 1 and list(teams.values()) == [1]
        for segment in (Segment(team_id="T0OTHER"), Segment(team_id=next(iter(teams)))):
            ctx = KpiQueryContext(
                dialect=engine.dialect.name,
                segment=segment,
                repeat_days=14,
                skill_of_intent={},
            )
            rolled = connection.execute(conversation_counts_statement(ctx, window)).one()
            direct = connection.execute(
                conversation_counts_statement(ctx, window, rolled_up=False)
            ).one()
            assert tuple(rolled) == tuple(direct)
            assert rolled[0] == 1
