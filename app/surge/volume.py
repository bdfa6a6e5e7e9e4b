"""5-minute window counts for the surge detector, aggregated in SQL over one installation's
rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from app.db.models import Conversation, Escalation, Message
from app.surge.detector import WindowCounts, error_fingerprint

WINDOW = timedelta(minutes=5)
BASELINE_WEEKS = 4
MAX_FINGERPRINT_TEXTS = 500  # the newest customer messages of the window, for error texts


def window_counts(
    *, session: Session, end: datetime, team_id: str, with_errors: bool = True
) -> WindowCounts:
    start = end - WINDOW
    messages, channels = session.execute(
        select(func.count(col(Message.id)), func.count(func.distinct(col(Conversation.channel_id))))
        .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
        .where(
            col(Conversation.team_id) == team_id,
            col(Message.author) == "customer",
            col(Message.created_at) >= start,
            col(Message.created_at) < end,
        )
    ).one()
    escalations = session.execute(
        select(func.count(col(Escalation.id))).where(
            col(Escalation.team_id) == team_id,
            col(Escalation.created_at) >= start,
            col(Escalation.created_at) < end,
        )
    ).scalar_one()
    by_intent: dict[str, int] = dict(
        session.execute(
            select(col(Conversation.intent), func.count(col(Conversation.id)))
            .where(
                col(Conversation.team_id) == team_id,
                col(Conversation.created_at) >= start,
                col(Conversation.created_at) < end,
                col(Conversation.intent).is_not(None),
            )
            .group_by(col(Conversation.intent))
        ).all()
    )
    fingerprints: dict[str, set[int]] = defaultdict(set)
    if with_errors:
        rows = session.execute(
            select(col(Message.text), col(Conversation.account_id))
            .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
            .where(
                col(Conversation.team_id) == team_id,
                col(Message.author) == "customer",
                col(Message.created_at) >= start,
                col(Message.created_at) < end,
            )
            .order_by(col(Message.id).desc())
            .limit(MAX_FINGERPRINT_TEXTS)
        ).all()
        for text, account_id in rows:
            key = error_fingerprint(text)
            if key is not None:
                fingerprints[key].add(account_id)
    return WindowCounts(
        messages=int(messages),
        escalations=int(escalations),
        channels=int(channels),
        by_intent={str(k): int(v) for k, v in by_intent.items()},
        accounts_by_fingerprint={k: len(v) for k, v in fingerprints.items()},
    )


def baseline_counts(*, session: Session, end: datetime, team_id: str) -> list[WindowCounts]:
    """The same 5 minutes of the same weekday in the previous weeks."""
    return [
        window_counts(
            session=session, end=end - timedelta(weeks=week), team_id=team_id, with_errors=False
        )
        for week in range(1, BASELINE_WEEKS + 1)
    ]
