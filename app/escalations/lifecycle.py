"""What follows a state change: the cards are refreshed in place and the customer is told."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from app.config_file import EscalationConfig
from app.csat.service import mark_posted, open_survey
from app.db.engine import session_scope
from app.db.models import Conversation, utcnow
from app.delivery.outcomes import AttemptSender
from app.escalations.handoff import AgentDesk, refresh_cards
from app.escalations.thread_notices import ThreadPoster, deliver_notices


def after_change(
    *,
    engine: Engine,
    config: EscalationConfig,
    desk: AgentDesk,
    notices: AttemptSender,
    escalation_id: int,
) -> None:
    """After a claim or a resolution: the cards show it, and the customer's thread gets the
    notices stored with it (who joined; the closing message and the survey)."""
    refresh_cards(engine=engine, config=config, desk=desk, escalation_id=escalation_id)
    deliver_notices(engine=engine, sender=notices, escalation_id=escalation_id)


def send_survey(
    *,
    engine: Engine,
    config: EscalationConfig,
    poster: ThreadPoster,
    kind: str,
    conversation_id: int,
) -> int:
    """Store a conversation's survey, then post it in the customer's thread (once). The
    hand-off survey of an escalation is a thread notice, stored with its resolution."""
    now = utcnow()
    with session_scope(engine) as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        row = open_survey(
            session=session,
            kind=kind,
            conversation_id=conversation_id,
            escalation_id=None,
            now=now,
            hours=config.reports.csat_survey_hours,
        )
        assert row.id is not None
        rating_id, already = row.id, row.survey_ts is not None
        channel, thread_ts = conversation.channel_id, conversation.thread_ts
    if not already:
        posted = poster.post_survey(
            channel=channel, thread_ts=thread_ts, kind=kind, rating_id=rating_id
        )
        with session_scope(engine) as session:
            mark_posted(session=session, rating_id=rating_id, channel=channel, ts=posted.ts)
    return rating_id
