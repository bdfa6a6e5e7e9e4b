"""What follows a state change: the cards are refreshed in place and the customer is told."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from app.config_file import EscalationConfig
from app.csat.service import open_survey
from app.db.engine import session_scope
from app.db.models import Conversation, utcnow
from app.delivery.outcomes import AttemptSender
from app.escalations.handoff import AgentDesk, refresh_cards
from app.escalations.thread_notices import deliver_notices, deliver_thread, queue_survey


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
    notices: AttemptSender,
    kind: str,
    conversation_id: int,
) -> int:
    """Store a conversation's survey with its thread notice (once), then post what the thread
    has waiting. The hand-off survey of an escalation is stored with its resolution."""
    now = utcnow()
    with session_scope(engine) as session:
        conversation = session.get_one(Conversation, conversation_id)
        row = open_survey(
            session=session,
            kind=kind,
            conversation_id=conversation_id,
            escalation_id=None,
            now=now,
            hours=config.reports.csat_survey_hours,
        )
        assert row.id is not None
        rating_id = row.id
        if row.survey_ts is None:
            queue_survey(
                session=session, conversation=conversation, rating_id=rating_id, kind=kind, now=now
            )
        channel, thread_ts = conversation.channel_id, conversation.thread_ts
    deliver_thread(engine=engine, sender=notices, channel=channel, thread_ts=thread_ts)
    return rating_id
