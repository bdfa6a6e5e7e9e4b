"""What follows a state change: the cards are refreshed in place and the customer is told."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.engine import Engine

from app.config_file import EscalationConfig
from app.conversations.replies import Posted
from app.csat.service import ESCALATION, mark_posted, open_survey
from app.db.engine import session_scope
from app.db.models import Conversation, Escalation, utcnow
from app.escalations.customer import closing_text, joined_text
from app.escalations.handoff import AgentDesk, refresh_cards
from app.knowledge_gaps.queue import record_gap


class ThreadPoster(Protocol):
    def post_text(self, *, channel: str, thread_ts: str, text: str) -> Posted: ...

    def post_survey(self, *, channel: str, thread_ts: str, kind: str, rating_id: int) -> Posted: ...


def _thread(engine: Engine, escalation_id: int) -> tuple[str, str, str, str | None]:
    with session_scope(engine) as session:
        escalation = session.get(Escalation, escalation_id)
        assert escalation is not None
        conversation = session.get(Conversation, escalation.conversation_id)
        assert conversation is not None
        return (
            conversation.channel_id,
            conversation.thread_ts,
            escalation.language,
            escalation.claimed_by,
        )


def after_claim(
    *,
    engine: Engine,
    config: EscalationConfig,
    desk: AgentDesk,
    poster: ThreadPoster,
    escalation_id: int,
) -> None:
    refresh_cards(engine=engine, config=config, desk=desk, escalation_id=escalation_id)
    channel, thread_ts, language, agent = _thread(engine, escalation_id)
    assert agent is not None
    poster.post_text(
        channel=channel,
        thread_ts=thread_ts,
        text=joined_text(config, language=language, agent_user_id=agent),
    )


def after_resolve(
    *,
    engine: Engine,
    config: EscalationConfig,
    desk: AgentDesk,
    poster: ThreadPoster,
    escalation_id: int,
) -> None:
    with session_scope(engine) as session:
        record_gap(session=session, escalation_id=escalation_id)  # only for ai_knowledge_gap
    refresh_cards(engine=engine, config=config, desk=desk, escalation_id=escalation_id)
    channel, thread_ts, language, _agent = _thread(engine, escalation_id)
    poster.post_text(
        channel=channel, thread_ts=thread_ts, text=closing_text(config, language=language)
    )
    send_survey(
        engine=engine,
        config=config,
        poster=poster,
        kind=ESCALATION,
        escalation_id=escalation_id,
        conversation_id=None,
    )


def send_survey(
    *,
    engine: Engine,
    config: EscalationConfig,
    poster: ThreadPoster,
    kind: str,
    escalation_id: int | None,
    conversation_id: int | None,
) -> int:
    """Store the survey, then post it in the customer's thread (once per subject)."""
    now = utcnow()
    with session_scope(engine) as session:
        if escalation_id is not None:
            escalation = session.get(Escalation, escalation_id)
            assert escalation is not None
            conversation_id = escalation.conversation_id
        assert conversation_id is not None
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        row = open_survey(
            session=session,
            kind=kind,
            conversation_id=conversation_id,
            escalation_id=escalation_id,
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
