"""The escalation KPIs on hand-built histories with known answers, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import statistics
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.config_file import KpiTargetsConfig
from app.db.engine import session_scope
from app.db.models import Account, Conversation, CsatRating, Escalation
from app.intents import DEFAULT_SKILL_MAP
from app.metrics.kpi_queries import KpiQueryContext, window_statements
from app.metrics.kpis import (
    KpiReport,
    Segment,
    Window,
    compute_kpis,
    window_for,
    worst_segment,
)
from app.metrics.sql import duration_seconds, percentile_select
from app.metrics.tables import ESCALATIONS
from app.metrics.targets import TargetCheck, check_targets

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
CURRENT, PREVIOUS = window_for(30, NOW)
REPEAT_DAYS = 14
Row = TypeVar("Row", Account, Conversation, Escalation, CsatRating)


def ago(days: float = 0, hours: float = 0) -> datetime:
    return NOW - timedelta(days=days, hours=hours)


class History:
    """Builds accounts, conversations, escalations and ratings with chosen times."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.threads = 0

    def account(self, tier: str = "pro") -> Account:
        self.threads += 1
        account = Account(name=f"A{self.threads}", channel_id=f"C0A{self.threads}", tier=tier)
        return self._saved(account)

    def conversation(
        self,
        account: Account,
        *,
        at: datetime,
        intent: str | None = "how_to",
        status: str = "answered",
    ) -> Conversation:
        assert account.id is not None
        self.threads += 1
        escalated = status in ("escalated", "resolved")
        conversation = Conversation(
            account_id=account.id,
            channel_id=account.channel_id,
            thread_ts=f"{self.threads}.0",
            customer_user_id="U0CUSTOMER",
            status=status,
            intent=intent,
            created_at=at,
            updated_at=at,
            escalated_at=at + timedelta(minutes=1) if escalated else None,
            contained_at=at + timedelta(minutes=5) if status == "contained" else None,
        )
        return self._saved(conversation)

    def escalation(
        self,
        account: Account,
        *,
        at: datetime,
        intent: str | None = "how_to",
        skill: str | None = None,
        claim_after: timedelta | None = None,
        resolve_after: timedelta | None = None,
    ) -> Escalation:
        """An escalated conversation opened at ``at`` and its escalation, created at ``at``."""
        conversation = self.conversation(
            account, at=at, intent=intent, status="resolved" if resolve_after else "escalated"
        )
        assert conversation.id is not None and account.id is not None
        claimed = at + claim_after if claim_after is not None else None
        resolved = at + resolve_after if resolve_after is not None else None
        escalation = Escalation(
            conversation_id=conversation.id,
            account_id=account.id,
            skill=skill or DEFAULT_SKILL_MAP.get(intent or "", "general"),
            language="en",
            tier=account.tier,
            status="resolved" if resolved else "claimed" if claimed else "pending",
            routed_channel="C0AGENTS",
            claim_deadline=at + timedelta(minutes=15),
            claimed_by="U0AGENT" if claimed else None,
            claimed_at=claimed,
            resolved_by="U0AGENT" if resolved else None,
            resolved_at=resolved,
            created_at=at,
            updated_at=at,
        )
        return self._saved(escalation)

    def rating(
        self,
        escalation: Escalation,
        rating: int | None,
        *,
        at: datetime,
        kind: str = "escalation",
    ) -> CsatRating:
        assert escalation.id is not None
        row = CsatRating(
            subject=f"{kind}:{escalation.id}",
            kind=kind,
            conversation_id=escalation.conversation_id,
            escalation_id=escalation.id if kind == "escalation" else None,
            rating=rating,
            created_at=at - timedelta(hours=1),
            rated_at=at if rating is not None else None,
        )
        return self._saved(row)

    def _saved(self, row: Row) -> Row:
        self.session.add(row)
        self.session.flush()
        return row


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_scope(engine) as session:
        yield session


@pytest.fixture
def history(session: Session) -> History:
    return History(session)


def kpis(
    session: Session,
    segment: Segment | None = None,
    *,
    previous: Window | None = PREVIOUS,
    repeat_days: int = REPEAT_DAYS,
    targets: KpiTargetsConfig | None = None,
    min_segment_conversations: int = 1,
) -> KpiReport:
    return compute_kpis(
        session=session,
        current=CURRENT,
        previous=previous,
        segment=segment or Segment(),
        repeat_days=repeat_days,
        skill_of_intent=DEFAULT_SKILL_MAP,
        targets=targets,
        min_segment_conversations=min_segment_conversations,
    )


# --- windows ---------------------------------------------------------------------------------


def test_window_for_gives_the_window_and_the_one_before() -> None:
    current, previous = window_for(7, NOW)
    assert (current.start, current.end) == (NOW - timedelta(days=7), NOW)
    assert (previous.start, previous.end) == (NOW - timedelta(days=14), NOW - timedelta(days=7))


def test_windows_are_utc_and_ordered() -> None:
    naive = Window(datetime(2026, 1, 1), datetime(2026, 1, 2))
    assert naive.start.tzinfo is UTC
    with pytest.raises(ValueError, match="before it ends"):
        Window(NOW, NOW)
    with pytest.raises(ValueError, match="one day"):
        window_for(0, NOW)


# --- conversation counts and rates -----------------------------------------------------------


def test_escalation_and_containment_rates(session: Session, history: History) -> None:
    account = history.account()
    for status in ["contained"] * 4 + ["answered"] * 2 + ["open"]:
        history.conversation(account, at=ago(days=3), status=status)
    history.escalation(account, at=ago(days=2))  # still escalated
    history.escalation(account, at=ago(days=5), resolve_after=timedelta(hours=2))  # resolved
    reopened = history.conversation(account, at=ago(days=9), status="escalated")
    reopened.contained_at = ago(days=9)  # said it was solved, then asked for a person
    history.conversation(account, at=ago(days=45), status="contained")  # previous window
    history.conversation(account, at=ago(days=45), status="escalated")
    history.conversation(account, at=ago(days=70), status="escalated")  # in no window

    report = kpis(session)

    now = report.current
    assert (now.conversations, now.escalated_conversations, now.contained_conversations) == (
        10,
        3,
        4,
    )
    assert now.escalation_rate == pytest.approx(0.3)
    assert now.containment_rate == pytest.approx(0.4)
    before = report.previous
    assert before is not None
    assert (before.conversations, before.escalated_conversations) == (2, 1)
    assert before.escalation_rate == pytest.approx(0.5)
    assert before.containment_rate == pytest.approx(0.5)
    assert report.delta("escalation_rate") == pytest.approx(-0.2)
    assert report.delta("containment_rate") == pytest.approx(-0.1)


def test_a_window_is_half_open(session: Session, history: History) -> None:
    account = history.account()
    history.conversation(account, at=CURRENT.start)  # counts in the current window
    history.conversation(account, at=CURRENT.end)  # belongs to the next one
    report = kpis(session)
    assert report.current.conversations == 1
    assert report.previous is not None and report.previous.conversations == 0


def test_empty_windows_give_none_not_a_division_by_zero(session: Session) -> None:
    targets = KpiTargetsConfig(
        escalation_rate_max=0.2,
        containment_rate_min=0.5,
        resolution_hours_median_max=4,
        csat_mean_min=4,
        repeat_rate_max=0.1,
    )
    report = kpis(session, targets=targets)
    for values in (report.current, report.previous):
        assert values is not None
        assert values.conversations == values.escalations == values.csat_responses == 0
        assert values.escalation_rate is None and values.containment_rate is None
        assert values.resolution_median_s is None and values.resolution_p90_s is None
        assert values.claim_median_s is None
        assert values.csat_mean is None and values.csat_satisfied_share is None
        assert values.repeat_rate is None
    assert [check.met for check in report.targets] == [None] * 5
    assert report.delta("escalation_rate") is None
    assert report.worst_tier is None and report.worst_area is None


def test_without_a_previous_window(session: Session, history: History) -> None:
    history.conversation(history.account(), at=ago(days=1))
    report = kpis(session, previous=None)
    assert report.previous is None
    assert report.value("escalation_rate", previous=True) is None
    assert report.delta("escalation_rate") is None


# --- resolution and claim times --------------------------------------------------------------

HOURS_ODD = [10.0, 1.0, 4.0, 2.0, 3.0]  # sorted: 1 2 3 4 10
HOURS_EVEN = [*HOURS_ODD, 20.0]  # sorted: 1 2 3 4 10 20


@pytest.mark.parametrize(
    ("hours", "median", "p90"),
    [
        (HOURS_ODD, 3.0, 4 + 0.6 * (10 - 4)),  # p90 at rank 0.9 * 4 = 3.6
        (HOURS_EVEN, 3.5, 10 + 0.5 * (20 - 10)),  # p90 at rank 0.9 * 5 = 4.5
        ([7.0], 7.0, 7.0),
    ],
)
def test_resolution_median_and_p90(
    session: Session, history: History, hours: list[float], median: float, p90: float
) -> None:
    account = history.account()
    for index, duration in enumerate(hours):
        # resolved in the window, whenever they were created
        history.escalation(
            account,
            at=ago(days=2 + index, hours=duration),
            claim_after=timedelta(minutes=1),
            resolve_after=timedelta(hours=duration),
        )
    history.escalation(account, at=ago(days=50), resolve_after=timedelta(days=5))  # earlier
    history.escalation(account, at=ago(days=3), claim_after=timedelta(minutes=2))  # unresolved

    values = kpis(session).current

    assert values.resolved_escalations == len(hours)
    assert values.resolution_median_s == pytest.approx(median * 3600)
    assert values.resolution_p90_s == pytest.approx(p90 * 3600)


@pytest.mark.parametrize("portable", [False, True])
@pytest.mark.parametrize("count", [1, 2, 9, 10, 31, 64])
def test_percentiles_match_linear_interpolation(
    session: Session, history: History, count: int, portable: bool
) -> None:
    """The SQL percentiles equal the inclusive (``percentile_cont``) definition on a random
    list, with PostgreSQL's ``percentile_cont`` and with the portable window-function query."""
    rng = random.Random(count)
    seconds = [float(rng.randrange(60, 500_000)) for _ in range(count)]
    account = history.account()
    for value in seconds:
        history.escalation(account, at=ago(days=1), resolve_after=timedelta(seconds=value))
    dialect = session.get_bind().dialect.name
    esc = ESCALATIONS.c
    values = select(duration_seconds(dialect, esc.resolved_at, esc.created_at))
    statement = percentile_select(values, (0, 50, 90, 100), dialect=dialect, portable=portable)

    n, p0, p50, p90, p100 = session.execute(statement).one()

    expected = statistics.quantiles(seconds, n=10, method="inclusive") if count > 1 else seconds
    assert n == count
    assert p0 == pytest.approx(min(seconds))
    assert p50 == pytest.approx(statistics.median(seconds))
    assert p90 == pytest.approx(expected[8] if count > 1 else seconds[0])
    assert p100 == pytest.approx(max(seconds))


def test_percentile_select_needs_percent_points() -> None:
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile_select(select(ESCALATIONS.c.id), (150,), dialect="x")


def test_median_time_to_claim_of_claims_in_the_window(session: Session, history: History) -> None:
    account = history.account()
    for minutes in (3, 9, 5, 20):
        history.escalation(account, at=ago(days=4), claim_after=timedelta(minutes=minutes))
    history.escalation(account, at=ago(days=1))  # pending: no claim time
    history.escalation(account, at=ago(days=40), claim_after=timedelta(minutes=1))  # earlier

    report = kpis(session)

    assert report.current.claimed_escalations == 4
    assert report.current.claim_median_s == pytest.approx(7 * 60)  # (5 + 9) / 2
    assert report.previous is not None
    assert report.previous.claim_median_s == pytest.approx(60)
    assert report.delta("claim_median_s") == pytest.approx(6 * 60)


# --- CSAT ------------------------------------------------------------------------------------


def test_post_escalation_csat_keeps_kinds_apart(session: Session, history: History) -> None:
    account = history.account()
    for score in (5, 4, 2, 5):
        escalation = history.escalation(account, at=ago(days=6), resolve_after=timedelta(hours=1))
        history.rating(escalation, score, at=ago(days=5))
    bot_answer = history.escalation(account, at=ago(days=6))
    history.rating(bot_answer, 1, at=ago(days=5), kind="ai")  # AI CSAT: never mixed in
    waiting = history.escalation(account, at=ago(days=6), resolve_after=timedelta(hours=1))
    history.rating(waiting, None, at=ago(days=5))  # survey not answered
    old = history.escalation(account, at=ago(days=40), resolve_after=timedelta(hours=1))
    history.rating(old, 1, at=ago(days=39))  # previous window

    report = kpis(session)

    assert report.current.csat_responses == 4
    assert report.current.csat_mean == pytest.approx(4.0)
    assert report.current.csat_satisfied_share == pytest.approx(0.75)
    assert report.previous is not None
    assert (report.previous.csat_responses, report.previous.csat_mean) == (1, 1.0)
    assert report.previous.csat_satisfied_share == 0


# --- repeat escalations ----------------------------------------------------------------------


def test_repeat_escalations_same_account_and_intent_within_n_days(
    session: Session, history: History
) -> None:
    a, b, c = history.account(), history.account(), history.account()
    history.escalation(a, at=ago(days=45), intent="billing_dispute")  # 20 days before the next
    history.escalation(a, at=ago(days=25), intent="billing_dispute")  # not a repeat: too old
    history.escalation(a, at=ago(days=20), intent="billing_dispute")  # repeat (5 days)
    history.escalation(a, at=ago(days=19), intent="outage")  # other intent: not a repeat
    history.escalation(b, at=ago(days=18), intent="billing_dispute")  # other account: not
    history.escalation(c, at=ago(days=33), intent="legal")  # before the window...
    history.escalation(c, at=ago(days=28), intent="legal")  # ...so this is a repeat (5 days)
    history.escalation(c, at=ago(days=10), intent=None)  # no intent: never a repeat
    history.escalation(c, at=ago(days=9), intent=None)

    report = kpis(session)

    assert report.current.escalations == 7
    assert report.current.repeat_escalations == 2
    assert report.current.repeat_rate == pytest.approx(2 / 7)
    longer = kpis(session, repeat_days=21).current
    assert longer.repeat_escalations == 3  # the one 20 days after the first now counts


def test_repeat_needs_an_earlier_escalation_not_a_later_one(
    session: Session, history: History
) -> None:
    account = history.account()
    history.escalation(account, at=ago(days=5), intent="security")  # the first: not a repeat
    history.escalation(account, at=ago(days=1), intent="security")  # repeats the one at -3
    history.escalation(account, at=ago(days=3), intent="security")  # repeats the one at -5
    values = kpis(session).current
    assert (values.escalations, values.repeat_escalations) == (3, 2)


# --- segments --------------------------------------------------------------------------------


@pytest.fixture
def segmented(history: History) -> History:
    """Enterprise: 4 conversations (2 billing, 2 how_to), escalations: billing_dispute (resolved
    in 2 h, rated 5) and how_to routed to billing (resolved in 6 h, rated 3).
    Free: 2 conversations (billing_question contained, how_to escalated, resolved in 10 h)."""
    enterprise, free = history.account("enterprise"), history.account("free")
    dispute = history.escalation(
        enterprise,
        at=ago(days=3),
        intent="billing_dispute",
        resolve_after=timedelta(hours=2),
        claim_after=timedelta(minutes=2),
    )
    history.rating(dispute, 5, at=ago(days=2))
    rerouted = history.escalation(
        enterprise,
        at=ago(days=4),
        intent="how_to",
        skill="billing",
        resolve_after=timedelta(hours=6),
        claim_after=timedelta(minutes=4),
    )
    history.rating(rerouted, 3, at=ago(days=2))
    history.conversation(enterprise, at=ago(days=3), intent="billing_question")
    history.conversation(enterprise, at=ago(days=3), intent="how_to", status="contained")
    history.conversation(free, at=ago(days=3), intent="billing_question", status="contained")
    history.escalation(
        free,
        at=ago(days=5),
        intent="how_to",
        resolve_after=timedelta(hours=10),
        claim_after=timedelta(minutes=30),
    )
    return history


def test_tier_segment(session: Session, segmented: History) -> None:
    enterprise = kpis(session, Segment(tier="enterprise")).current
    assert (enterprise.conversations, enterprise.escalated_conversations) == (4, 2)
    assert enterprise.resolution_median_s == pytest.approx(4 * 3600)
    assert enterprise.csat_mean == pytest.approx(4.0)
    free = kpis(session, Segment(tier="free")).current
    assert (free.conversations, free.escalated_conversations, free.contained_conversations) == (
        2,
        1,
        1,
    )
    assert free.resolution_median_s == pytest.approx(10 * 3600)
    assert free.claim_median_s == pytest.approx(30 * 60)
    assert free.csat_responses == 0 and free.csat_mean is None
    assert kpis(session, Segment(tier="pro")).current.conversations == 0


def test_skill_area_segment(session: Session, segmented: History) -> None:
    """Conversations by the skill of their intent; escalations by the skill they were routed
    to (the how_to escalation rerouted to billing counts for billing)."""
    billing = kpis(session, Segment(area="billing")).current
    assert billing.conversations == 3  # billing_dispute and two billing_question
    assert billing.escalated_conversations == 1
    assert billing.containment_rate == pytest.approx(1 / 3)
    assert billing.resolved_escalations == 2
    assert billing.resolution_median_s == pytest.approx(4 * 3600)
    assert billing.csat_responses == 2
    technical = kpis(session, Segment(area="technical")).current
    assert (technical.conversations, technical.escalated_conversations) == (3, 2)
    assert technical.resolved_escalations == 1  # the free one; the rerouted one is billing's


def test_intent_area_segment(session: Session, segmented: History) -> None:
    """An intent filters conversations and escalations by the conversation's intent."""
    how_to = kpis(session, Segment(area="how_to")).current
    assert (how_to.conversations, how_to.escalated_conversations) == (3, 2)
    assert how_to.resolved_escalations == 2
    assert how_to.resolution_median_s == pytest.approx(8 * 3600)
    assert how_to.csat_responses == 1 and how_to.csat_mean == pytest.approx(3.0)
    both = kpis(session, Segment(tier="free", area="how_to")).current
    assert (both.conversations, both.escalations, both.csat_responses) == (1, 1, 0)


def test_an_area_no_intent_maps_to_has_no_conversations(
    session: Session, segmented: History
) -> None:
    values = kpis(session, Segment(area="partnerships")).current
    assert values.conversations == 0 and values.escalation_rate is None


# --- targets ---------------------------------------------------------------------------------


def test_targets_met_and_not_met(session: Session, segmented: History) -> None:
    targets = KpiTargetsConfig(
        escalation_rate_max=0.4,  # actual 3/6 = 0.5: not met
        containment_rate_min=0.3,  # actual 2/6: met
        resolution_hours_median_max=6,  # actual 6 h (2, 6, 10): met, the bound is inclusive
        csat_mean_min=4.5,  # actual 4.0: not met
    )
    report = kpis(session, targets=targets)
    met = {check.kpi: check.met for check in report.targets}
    assert met == {
        "escalation_rate": False,
        "containment_rate": True,
        "resolution_median_hours": True,
        "csat_mean": False,
        "repeat_rate": None,  # no target
    }
    assert report.target("resolution_median_hours").actual == pytest.approx(6.0)


@pytest.mark.parametrize(
    ("actual", "target", "bound", "met"),
    [
        (0.1, 0.2, "max", True),
        (0.3, 0.2, "max", False),
        (0.3, 0.2, "min", True),
        (0.1, 0.2, "min", False),
        (None, 0.2, "max", None),
        (0.1, None, "min", None),
    ],
)
def test_target_check(actual: float | None, target: float | None, bound: str, met: bool) -> None:
    assert TargetCheck("x", actual, target, bound).met is met  # type: ignore[arg-type]


def test_check_targets_covers_every_kpi_with_a_target(session: Session) -> None:
    values = kpis(session).current
    names = [check.kpi for check in check_targets(values, KpiTargetsConfig())]
    assert names == [
        "escalation_rate",
        "containment_rate",
        "resolution_median_hours",
        "csat_mean",
        "repeat_rate",
    ]


# --- worst segment ---------------------------------------------------------------------------


@pytest.fixture
def tiers(history: History) -> History:
    """Enterprise escalates 4 of 10 (billing), pro 1 of 10, free 1 of 10: 6 of 30 overall."""
    for tier, escalated in (("enterprise", 4), ("pro", 1), ("free", 1)):
        account = history.account(tier)
        for index in range(10):
            if index < escalated:
                history.escalation(account, at=ago(days=2), intent="billing_question")
            else:
                history.conversation(account, at=ago(days=2), intent="how_to")
    history.conversation(history.account("pro"), at=ago(days=2), intent=None)  # untriaged
    history.conversation(history.account("free"), at=ago(days=60))  # outside the window
    return history


def test_worst_tier(session: Session, tiers: History) -> None:
    worst = worst_segment(
        session, CURRENT, "tier", skill_of_intent=DEFAULT_SKILL_MAP, min_conversations=10
    )
    assert worst is not None
    name, rate, overall = worst
    assert name == "enterprise"
    assert rate == pytest.approx(0.4)
    assert overall == pytest.approx(6 / 31)


def test_worst_area_is_the_skill_of_the_intent(session: Session, tiers: History) -> None:
    worst = worst_segment(
        session, CURRENT, "area", skill_of_intent=DEFAULT_SKILL_MAP, min_conversations=1
    )
    assert worst is not None
    assert (worst.name, worst.escalation_rate) == ("billing", 1.0)
    assert worst.overall_rate == pytest.approx(6 / 31)
    within = worst_segment(
        session,
        CURRENT,
        "tier",
        skill_of_intent=DEFAULT_SKILL_MAP,
        within=Segment(area="technical"),
        min_conversations=1,
    )
    assert within is None  # no tier escalates technical conversations


def test_small_segments_are_not_findings(session: Session, tiers: History) -> None:
    assert (
        worst_segment(
            session, CURRENT, "tier", skill_of_intent=DEFAULT_SKILL_MAP, min_conversations=11
        )
        is None
    )


def test_no_worst_segment_when_every_segment_is_at_the_overall_rate(
    session: Session, history: History
) -> None:
    for tier in ("enterprise", "free"):
        account = history.account(tier)
        history.escalation(account, at=ago(days=1))
        history.conversation(account, at=ago(days=1))
    worst = worst_segment(
        session, CURRENT, "tier", skill_of_intent=DEFAULT_SKILL_MAP, min_conversations=1
    )
    assert worst is None


def test_report_carries_worst_segments_within_the_segment(session: Session, tiers: History) -> None:
    overall = kpis(session)
    assert overall.worst_tier is not None and overall.worst_tier.name == "enterprise"
    assert overall.worst_area is not None and overall.worst_area.name == "billing"
    by_tier = kpis(session, Segment(tier="pro"))
    assert by_tier.worst_tier is None  # the segment fixes the tier
    assert by_tier.worst_area is not None
    assert by_tier.worst_area.overall_rate == pytest.approx(1 / 11)


def test_worst_tier_needs_no_intent_map_but_areas_do(session: Session, tiers: History) -> None:
    worst = worst_segment(session, CURRENT, dimension="tier", min_conversations=10)
    assert worst is not None and worst.name == "enterprise"
    with pytest.raises(ValueError, match="skill_of_intent"):
        worst_segment(session, CURRENT, dimension="area")


def test_worst_segment_rejects_a_fixed_dimension(session: Session) -> None:
    with pytest.raises(ValueError, match="single tier"):
        worst_segment(
            session,
            CURRENT,
            "tier",
            skill_of_intent=DEFAULT_SKILL_MAP,
            within=Segment(tier="pro"),
        )


# --- aggregation happens in the database -----------------------------------------------------


def test_every_kpi_query_returns_one_aggregated_row(session: Session, tiers: History) -> None:
    ctx = KpiQueryContext(
        dialect=session.get_bind().dialect.name,
        segment=Segment(),
        repeat_days=REPEAT_DAYS,
        skill_of_intent=DEFAULT_SKILL_MAP,
    )
    for name, statement in window_statements(ctx, CURRENT).items():
        rows = session.execute(statement).all()
        assert len(rows) == 1, name


def test_repeat_days_must_be_positive(session: Session) -> None:
    with pytest.raises(ValueError, match="repeat_days"):
        kpis(session, repeat_days=0)
