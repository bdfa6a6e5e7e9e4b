"""Demo and benchmark data: accounts of every tier, conversations with intents, escalations with
claim and resolve times, CSAT ratings of both kinds. Bulk inserts in batches (a million
conversations in minutes on SQLite); the same ``seed`` and ``now`` give the same data.

Seed an empty database: ids are assigned here (after any existing rows), and on PostgreSQL the id
sequences are moved past them at the end.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.config_file import SlaConfig
from app.db.models import as_utc
from app.escalations.card import RESOLUTION_TAGS
from app.intents import ALWAYS_ESCALATE_INTENTS, DEFAULT_SKILL_MAP
from app.metrics.tables import ACCOUNTS, CONVERSATIONS, CSAT_RATINGS, ESCALATIONS

DEMO_DAYS = 180
BATCH_SIZE = 20_000
CONVERSATIONS_PER_ACCOUNT = 200
MAX_ACCOUNTS = 20_000
CUSTOMERS_PER_ACCOUNT = 6
AGENTS = 40

#: Share of conversations per intent (percent).
INTENT_WEIGHTS: Mapping[str, float] = {
    "how_to": 25,
    "bug_report": 15,
    "outage": 3,
    "billing_dispute": 3,
    "billing_question": 10,
    "cancellation": 2,
    "legal": 1,
    "security": 1,
    "account_access": 12,
    "feature_request": 8,
    "integration": 10,
    "human_request": 4,
    "feedback": 6,
}
TIER_SHARES: Mapping[str, float] = {"enterprise": 0.15, "pro": 0.35, "free": 0.50}
TIER_ACTIVITY: Mapping[str, float] = {"enterprise": 5.0, "pro": 2.0, "free": 1.0}
TIER_ESCALATION: Mapping[str, float] = {"enterprise": 1.8, "pro": 1.1, "free": 0.8}
CLAIM_MEDIAN_MINUTES: Mapping[str, float] = {"enterprise": 4, "pro": 12, "free": 45}
RESOLVE_MEDIAN_HOURS: Mapping[str, float] = {"enterprise": 3, "pro": 6, "free": 20}
ALWAYS_ESCALATE_P = 0.95
ESCALATE_P = 0.04  # other intents, before the tier factor: about 15% escalated overall
CONTAINED_P = 0.55  # of the conversations not escalated
ANSWERED_P = 0.35  # the rest stay open, not yet triaged
ESCALATION_SURVEY_P = 0.35
AI_SURVEY_P = 0.15
SURVEY_ANSWERED_P = 0.9
SURVEY_HOURS = 72
RATING_WEIGHTS: Sequence[float] = (0.05, 0.07, 0.13, 0.30, 0.45)
SLOW_RATING_WEIGHTS: Sequence[float] = (0.12, 0.13, 0.20, 0.30, 0.25)  # resolved after a day
AI_RATING_WEIGHTS: Sequence[float] = (0.03, 0.05, 0.12, 0.35, 0.45)
TAG_WEIGHTS: Mapping[str, float] = {"ai_knowledge_gap": 4, "edge_case": 3, "policy_exception": 2}
LANGUAGES: Mapping[str, float] = {"en": 0.8, "de": 0.06, "fr": 0.05, "es": 0.05, "ja": 0.04}


@dataclass(frozen=True)
class SeedSummary:
    accounts: int
    conversations: int
    escalations: int
    csat_ratings: int  # of both kinds, answered or still waiting
    start: datetime  # the conversations were opened in [start, end)
    end: datetime


@dataclass(frozen=True)
class _Account:
    id: int
    channel: str
    tier: str
    language: str
    customers: tuple[str, ...]


class _Weighted:
    """Picks from weighted choices with one random number and a bisection."""

    def __init__(self, choices: Mapping[Any, float]) -> None:
        self.values = list(choices)
        self.cumulative = list(accumulate(choices.values()))

    def pick(self, rng: random.Random) -> Any:
        index = bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
        return self.values[min(index, len(self.values) - 1)]


@dataclass
class _Batch:
    conversations: list[dict[str, Any]] = field(default_factory=list)
    escalations: list[dict[str, Any]] = field(default_factory=list)
    ratings: list[dict[str, Any]] = field(default_factory=list)


def seed_demo_data(
    *,
    engine: Engine,
    conversations: int,
    seed: int = 7,
    now: datetime,
    days: int = DEMO_DAYS,
    batch_size: int = BATCH_SIZE,
) -> SeedSummary:
    """Insert ``conversations`` conversations opened over the ``days`` days before ``now``, with
    their accounts, escalations and CSAT ratings."""
    if conversations < 0 or days < 1 or batch_size < 1:
        raise ValueError("conversations >= 0, days >= 1 and batch_size >= 1 are required")
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible by design
    end = as_utc(now).astimezone(UTC)
    start = end - timedelta(days=days)
    with Session(engine) as session:
        first_ids = {table.name: _next_id(session, table) for table in _TABLES}
        accounts = _make_accounts(rng, _account_count(conversations), first_ids[ACCOUNTS.name])
        session.execute(insert(ACCOUNTS), [_account_row(a, start) for a in accounts])
        generator = _Generator(rng, accounts, start, end, conversations, first_ids)
        totals = {CONVERSATIONS.name: 0, ESCALATIONS.name: 0, CSAT_RATINGS.name: 0}
        for offset in range(0, conversations, batch_size):
            batch = generator.batch(offset, min(batch_size, conversations - offset))
            for table, rows in (
                (CONVERSATIONS, batch.conversations),
                (ESCALATIONS, batch.escalations),
                (CSAT_RATINGS, batch.ratings),
            ):
                if rows:
                    session.execute(insert(table), rows)
                    totals[table.name] += len(rows)
            session.commit()
        if session.get_bind().dialect.name == "postgresql":
            for table in _TABLES:
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                        f"(SELECT MAX(id) FROM {table.name}))"
                    )
                )
        session.commit()
    return SeedSummary(
        accounts=len(accounts),
        conversations=totals[CONVERSATIONS.name],
        escalations=totals[ESCALATIONS.name],
        csat_ratings=totals[CSAT_RATINGS.name],
        start=start,
        end=end,
    )


_TABLES: tuple[Table, ...] = (ACCOUNTS, CONVERSATIONS, ESCALATIONS, CSAT_RATINGS)


def _next_id(session: Session, table: Table) -> int:
    return int(session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def _account_count(conversations: int) -> int:
    return max(len(TIER_SHARES), min(MAX_ACCOUNTS, conversations // CONVERSATIONS_PER_ACCOUNT))


def _make_accounts(rng: random.Random, count: int, first_id: int) -> list[_Account]:
    tiers = _Weighted(TIER_SHARES)
    languages = _Weighted(LANGUAGES)
    accounts = []
    for index in range(count):
        account_id = first_id + index
        # the first accounts cover every tier, the others follow the shares
        tier = list(TIER_SHARES)[index] if index < len(TIER_SHARES) else tiers.pick(rng)
        customers = tuple(f"U{account_id:07d}C{n}" for n in range(CUSTOMERS_PER_ACCOUNT))
        accounts.append(
            _Account(account_id, f"C0DEMO{account_id:07d}", tier, languages.pick(rng), customers)
        )
    return accounts


def _account_row(account: _Account, created: datetime) -> dict[str, Any]:
    return {
        "id": account.id,
        "name": f"Demo account {account.id}",
        "channel_id": account.channel,
        "tier": account.tier,
        "language": account.language,
        "crm_id": None,
        "arr": None,
        "created_at": created,
        "updated_at": created,
    }


class _Generator:
    """Conversations in time order, spread evenly over the period with jitter."""

    def __init__(
        self,
        rng: random.Random,
        accounts: Sequence[_Account],
        start: datetime,
        end: datetime,
        total: int,
        first_ids: Mapping[str, int],
    ) -> None:
        self.rng = rng
        self.accounts = _Weighted(
            {a: TIER_ACTIVITY[a.tier] * rng.lognormvariate(0, 0.7) for a in accounts}
        )
        self.intents = _Weighted(INTENT_WEIGHTS)
        self.tags = _Weighted({tag: TAG_WEIGHTS.get(tag, 1) for tag in RESOLUTION_TAGS})
        self.ratings = _Weighted(dict(enumerate(RATING_WEIGHTS, start=1)))
        self.slow_ratings = _Weighted(dict(enumerate(SLOW_RATING_WEIGHTS, start=1)))
        self.ai_ratings = _Weighted(dict(enumerate(AI_RATING_WEIGHTS, start=1)))
        self.claim_windows = {str(k): v for k, v in SlaConfig().claim_window_minutes.items()}
        self.start = start
        self.end = end
        self.step = (end - start) / max(total, 1)
        self.conversation_id = first_ids[CONVERSATIONS.name]
        self.escalation_id = first_ids[ESCALATIONS.name]
        self.rating_id = first_ids[CSAT_RATINGS.name]

    def batch(self, offset: int, size: int) -> _Batch:
        batch = _Batch()
        for index in range(offset, offset + size):
            self._conversation(batch, index)
        return batch

    def _conversation(self, batch: _Batch, index: int) -> None:
        rng = self.rng
        account: _Account = self.accounts.pick(rng)
        created = self.start + self.step * (index + rng.random())
        intent: str | None = self.intents.pick(rng)
        assert intent is not None
        p = (
            ALWAYS_ESCALATE_P
            if intent in ALWAYS_ESCALATE_INTENTS
            else ESCALATE_P * TIER_ESCALATION[account.tier]
        )
        conversation_id = self.conversation_id
        self.conversation_id += 1
        escalated_at = contained_at = None
        updated = created
        bot_reply_ts: str | None = None
        if rng.random() < p and (escalated := created + _minutes(rng, 0.3, 10)) < self.end:
            escalated_at = updated = escalated
            resolved = self._escalation(batch, account, conversation_id, intent, escalated)
            status = "resolved" if resolved else "escalated"
        else:
            draw = rng.random()
            bot_reply_ts = f"{created.timestamp() + 5:.6f}"
            if draw < CONTAINED_P and (contained := created + _minutes(rng, 1, 30)) < self.end:
                status, contained_at, updated = "contained", contained, contained
                if rng.random() < AI_SURVEY_P:
                    self._rating(batch, None, conversation_id, account, contained, ai=True)
            elif draw < CONTAINED_P + ANSWERED_P:
                status = "answered"
            else:
                status, intent, bot_reply_ts = "open", None, None
        batch.conversations.append(
            {
                "id": conversation_id,
                "account_id": account.id,
                "channel_id": account.channel,
                "thread_ts": f"{int(created.timestamp())}.{index:06d}",
                "customer_user_id": account.customers[rng.randrange(CUSTOMERS_PER_ACCOUNT)],
                "customer_team_id": f"T{account.id:07d}",
                "status": status,
                "bot_reply_ts": bot_reply_ts,
                "intent": intent,
                "language": account.language,
                "created_at": created,
                "updated_at": updated,
                "escalated_at": escalated_at,
                "contained_at": contained_at,
            }
        )

    def _escalation(
        self,
        batch: _Batch,
        account: _Account,
        conversation_id: int,
        intent: str,
        created: datetime,
    ) -> bool:
        """Add the escalation (and maybe its survey); True when it is resolved by now."""
        rng = self.rng
        escalation_id = self.escalation_id
        self.escalation_id += 1
        deadline = created + timedelta(minutes=self.claim_windows[account.tier])
        claim_s = rng.lognormvariate(math.log(CLAIM_MEDIAN_MINUTES[account.tier] * 60), 0.8)
        resolve_s = rng.lognormvariate(math.log(RESOLVE_MEDIAN_HOURS[account.tier] * 3600), 1)
        claimed_at = _before(created + timedelta(seconds=claim_s), self.end)
        resolved_at = None
        if claimed_at is not None:
            resolved_at = _before(claimed_at + timedelta(seconds=resolve_s), self.end)
        late = (claimed_at or self.end) > deadline
        agent = f"U0AGENT{rng.randrange(AGENTS):02d}" if claimed_at is not None else None
        skill = DEFAULT_SKILL_MAP[intent]
        batch.escalations.append(
            {
                "id": escalation_id,
                "conversation_id": conversation_id,
                "account_id": account.id,
                "skill": skill,
                "language": account.language,
                "tier": account.tier,
                "status": "resolved" if resolved_at else "claimed" if claimed_at else "pending",
                "routed_channel": f"C0{skill.upper().replace('_', '')}",
                "overflow": late,
                "routing_reasons": "[]",
                "mentions": "",
                "card_attempts": 1,
                "follow_up_later": False,
                "claim_deadline": deadline,
                "overflowed_at": deadline if late else None,
                "claimed_by": agent,
                "claimed_at": claimed_at,
                "resolved_by": agent if resolved_at else None,
                "resolved_at": resolved_at,
                "resolution_tag": self.tags.pick(rng) if resolved_at else None,
                "created_at": created,
                "updated_at": resolved_at or claimed_at or created,
            }
        )
        if resolved_at is not None and rng.random() < ESCALATION_SURVEY_P:
            slow = resolved_at - created > timedelta(days=1)
            self._rating(batch, escalation_id, conversation_id, account, resolved_at, slow=slow)
        return resolved_at is not None

    def _rating(
        self,
        batch: _Batch,
        escalation_id: int | None,
        conversation_id: int,
        account: _Account,
        sent: datetime,
        *,
        ai: bool = False,
        slow: bool = False,
    ) -> None:
        rng = self.rng
        weights = self.ai_ratings if ai else self.slow_ratings if slow else self.ratings
        rating: int | None = weights.pick(rng)
        rated_at = _before(sent + _minutes(rng, 5, 24 * 60), self.end)
        if rated_at is None or rng.random() >= SURVEY_ANSWERED_P:
            rated_at = rating = None
        batch.ratings.append(
            {
                "id": self.rating_id,
                "subject": f"conversation:{conversation_id}"
                if ai
                else f"escalation:{escalation_id}",
                "kind": "ai" if ai else "escalation",
                "conversation_id": conversation_id,
                "escalation_id": escalation_id,
                "rating": rating,
                "user_id": account.customers[0],
                "survey_channel": account.channel,
                "expires_at": sent + timedelta(hours=SURVEY_HOURS),
                "created_at": sent,
                "rated_at": rated_at,
            }
        )
        self.rating_id += 1


def _before(moment: datetime, end: datetime) -> datetime | None:
    """``moment`` if it has happened by ``end``."""
    return moment if moment < end else None


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=rng.uniform(low, high))
