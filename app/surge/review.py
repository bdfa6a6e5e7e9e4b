"""The post-surge review: what the surge did to volume, escalations, waits and CSAT, against the
usual level, over the rows of the surge's installation. Every figure is an SQL aggregate."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from app.db.models import Conversation, CsatRating, Escalation, Message, Surge, as_utc
from app.metrics.dashboard import top_escalation_intents
from app.metrics.sql import duration_seconds, percentile_select
from app.metrics.tables import ESCALATIONS
from app.metrics.windows import Window

BASELINE_WEEKS = 4
CSAT_BASELINE_DAYS = 30


@dataclass(frozen=True)
class SurgeReview:
    surge_id: int
    playbook: str
    started_at: str
    ended_at: str
    duration_minutes: int
    messages: int
    conversations: int
    escalations: int
    escalation_rate: float | None
    baseline_escalation_rate: float | None  # the same hours of the previous weeks
    wait_median_s: float | None  # from escalation to claim
    wait_p90_s: float | None
    async_opt_ins: int
    csat_mean: float | None
    csat_baseline_mean: float | None  # the 30 days before the surge
    top_intents: list[tuple[str, int]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self))


def _counts(session: Session, team_id: str, start: datetime, end: datetime) -> tuple[int, int]:
    row = session.execute(
        select(
            func.count(col(Conversation.id)),
            func.count(col(Conversation.escalated_at)),
        ).where(
            col(Conversation.team_id) == team_id,
            col(Conversation.created_at) >= start,
            col(Conversation.created_at) < end,
        )
    ).one()
    return int(row[0]), int(row[1])


def _rate(conversations: int, escalated: int) -> float | None:
    return escalated / conversations if conversations else None


def _csat_mean(session: Session, team_id: str, start: datetime, end: datetime) -> float | None:
    value = session.execute(
        select(func.avg(col(CsatRating.rating)))
        .join(Conversation, col(Conversation.id) == col(CsatRating.conversation_id))
        .where(
            col(Conversation.team_id) == team_id,
            col(CsatRating.kind) == "escalation",
            col(CsatRating.rating).is_not(None),
            col(CsatRating.rated_at) >= start,
            col(CsatRating.rated_at) < end,
        )
    ).scalar()
    return float(value) if value is not None else None


def review_surge(*, session: Session, surge: Surge, now: datetime) -> SurgeReview:
    start = as_utc(surge.started_at)
    end = as_utc(surge.ended_at) if surge.ended_at else now
    dialect = session.get_bind().dialect.name
    team = surge.team_id
    messages = session.execute(
        select(func.count(col(Message.id)))
        .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
        .where(
            col(Conversation.team_id) == team,
            col(Message.author) == "customer",
            col(Message.created_at) >= start,
            col(Message.created_at) < end,
        )
    ).scalar_one()
    conversations, escalated = _counts(session, team, start, end)
    base_conversations = base_escalated = 0
    for week in range(1, BASELINE_WEEKS + 1):
        shift = timedelta(weeks=week)
        c, e = _counts(session, team, start - shift, end - shift)
        base_conversations += c
        base_escalated += e
    escalations = session.execute(
        select(func.count(col(Escalation.id)), func.count(col(Escalation.follow_up_at))).where(
            col(Escalation.team_id) == team,
            col(Escalation.created_at) >= start,
            col(Escalation.created_at) < end,
        )
    ).one()
    waits = session.execute(
        percentile_select(
            select(
                duration_seconds(dialect, ESCALATIONS.c.claimed_at, ESCALATIONS.c.created_at)
            ).where(
                col(Escalation.team_id) == team,
                col(Escalation.created_at) >= start,
                col(Escalation.created_at) < end,
                col(Escalation.claimed_at).is_not(None),
            ),
            (50, 90),
            dialect=dialect,
        )
    ).one()
    assert surge.id is not None
    return SurgeReview(
        surge_id=surge.id,
        playbook=surge.playbook,
        started_at=start.isoformat(),
        ended_at=end.isoformat(),
        duration_minutes=int((end - start).total_seconds() // 60),
        messages=int(messages),
        conversations=conversations,
        escalations=int(escalations[0]),
        escalation_rate=_rate(conversations, escalated),
        baseline_escalation_rate=_rate(base_conversations, base_escalated),
        wait_median_s=float(waits[1]) if waits[1] is not None else None,
        wait_p90_s=float(waits[2]) if waits[2] is not None else None,
        async_opt_ins=int(escalations[1]),
        csat_mean=_csat_mean(session, team, start, end),
        csat_baseline_mean=_csat_mean(
            session, team, start - timedelta(days=CSAT_BASELINE_DAYS), start
        ),
        top_intents=top_escalation_intents(
            session=session, window=Window(start, end), limit=5, team_id=team
        ),
    )


def store_review(*, session: Session, surge_id: int, now: datetime) -> SurgeReview:
    """Compute the review of a surge that just ended and keep it on its row."""
    surge = session.get(Surge, surge_id)
    assert surge is not None
    review = review_surge(session=session, surge=surge, now=now)
    surge.review = review.to_json()
    session.add(surge)
    return review


def render_review(review: SurgeReview) -> str:
    """Plain text (mrkdwn-safe: product-written) for the leads channel and the CLI."""

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value * 100:.1f}%"

    def minutes(value: float | None) -> str:
        return "n/a" if value is None else f"{value / 60:.0f} min"

    def score(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2f}"

    intents = ", ".join(f"{intent} ({count})" for intent, count in review.top_intents) or "none"
    return "\n".join(
        [
            f"Surge #{review.surge_id} review ({review.playbook}): {review.duration_minutes} min",
            f"Messages: {review.messages}; conversations: {review.conversations}; "
            f"escalations: {review.escalations}",
            f"Escalation rate: {pct(review.escalation_rate)} "
            f"(usually {pct(review.baseline_escalation_rate)} at these hours)",
            f"Wait to claim: median {minutes(review.wait_median_s)}, "
            f"p90 {minutes(review.wait_p90_s)}",
            f"Follow up later chosen: {review.async_opt_ins}",
            f"Post-escalation CSAT: {score(review.csat_mean)} "
            f"(previous 30 days {score(review.csat_baseline_mean)})",
            f"Top intents: {intents}",
        ]
    )
