"""What follows a state change: the cards are refreshed in place and the customer is told."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.engine import Engine

from app.config_file import EscalationConfig
from app.conversations.replies import Posted
from app.db.engine import session_scope
from app.db.models import Conversation, Escalation
from app.escalations.customer import closing_text, joined_text
from app.escalations.handoff import AgentDesk, refresh_cards


class ThreadPoster(Protocol):
    def post_text(self, *, channel: str, thread_ts: str, text: str) -> Posted: ...


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
    refresh_cards(engine=engine, config=config, desk=desk, escalation_id=escalation_id)
    channel, thread_ts, language, _agent = _thread(engine, escalation_id)
    poster.post_text(
        channel=channel, thread_ts=thread_ts, text=closing_text(config, language=language)
    )
