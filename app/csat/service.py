"""Surveys and ratings. One rating per escalation (or per contained conversation): a second click
updates it, never duplicates it. Only people of the customer's organisation may answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.db.engine import session_scope
from app.db.models import Conversation, CsatRating, as_utc
from app.domain.customers import customer_may_act

ESCALATION = "escalation"
AI = "ai"
SCALES = {ESCALATION: (1, 2, 3, 4, 5), AI: (1, 3, 5)}
MAX_COMMENT = 2000


@dataclass(frozen=True)
class Rated:
    changed: bool
    notice: str
    rating_id: int | None = None
    kind: str | None = None
    rating: int | None = None
    language: str = "en"


def open_survey(
    *,
    session: Session,
    kind: str,
    conversation_id: int,
    escalation_id: int | None,
    now: datetime,
    hours: int,
) -> CsatRating:
    """The survey's row, stored before the survey is posted (idempotent per subject)."""
    subject = (
        f"escalation:{escalation_id}" if kind == ESCALATION else f"conversation:{conversation_id}"
    )
    existing = session.exec(select(CsatRating).where(col(CsatRating.subject) == subject)).first()
    if existing is not None:
        return existing
    row = CsatRating(
        subject=subject,
        kind=kind,
        conversation_id=conversation_id,
        escalation_id=escalation_id,
        expires_at=now + timedelta(hours=hours),
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        found = session.exec(select(CsatRating).where(col(CsatRating.subject) == subject)).first()
        assert found is not None
        return found
    return row


def mark_posted(*, session: Session, rating_id: int, channel: str, ts: str) -> None:
    session.execute(
        update(CsatRating)
        .where(col(CsatRating.id) == rating_id)
        .values(survey_channel=channel, survey_ts=ts)
    )


def record_rating(
    *,
    engine: Engine,
    rating_id: int,
    rating: int,
    user_id: str,
    user_team: str | None,
    now: datetime,
) -> Rated:
    with session_scope(engine) as session:
        row = _answerable(session, rating_id, user_id=user_id, user_team=user_team, now=now)
        if isinstance(row, Rated):
            return row
        if rating not in SCALES.get(row.kind, ()):
            return Rated(False, "That is not one of the choices.")
        session.execute(
            update(CsatRating)
            .where(col(CsatRating.id) == rating_id)
            .values(rating=rating, user_id=user_id, rated_at=now)
        )
        language = _language(session, row)
        return Rated(True, "Thanks for your feedback!", rating_id, row.kind, rating, language)


def add_comment(
    *,
    engine: Engine,
    rating_id: int,
    comment: str,
    user_id: str,
    user_team: str | None,
    now: datetime,
) -> Rated:
    with session_scope(engine) as session:
        row = _answerable(session, rating_id, user_id=user_id, user_team=user_team, now=now)
        if isinstance(row, Rated):
            return row
        session.execute(
            update(CsatRating)
            .where(col(CsatRating.id) == rating_id)
            .values(comment=comment.strip()[:MAX_COMMENT] or None)
        )
        return Rated(True, "Thanks, we read every comment.", rating_id, row.kind, row.rating)


def _answerable(
    session: Session, rating_id: int, *, user_id: str, user_team: str | None, now: datetime
) -> CsatRating | Rated:
    """The survey, if this person may answer it now; otherwise the refusal to show them."""
    row = session.get(CsatRating, rating_id)
    if row is None:
        return Rated(False, "This survey no longer exists.")
    refusal = _refusal(session, row, user_id=user_id, user_team=user_team, now=now)
    return Rated(False, refusal) if refusal else row


def _refusal(
    session: Session, row: CsatRating, *, user_id: str, user_team: str | None, now: datetime
) -> str | None:
    conversation = session.get(Conversation, row.conversation_id)
    if conversation is None:
        return "This survey no longer exists."
    if not customer_may_act(conversation, user_id=user_id, user_team=user_team):
        return "Only the customer's team can answer this survey."
    if row.expires_at is not None and as_utc(row.expires_at) < now:
        return "This survey has closed. Thanks anyway!"
    return None


def _language(session: Session, row: CsatRating) -> str:
    conversation = session.get(Conversation, row.conversation_id)
    return (conversation.language if conversation else None) or "en"
