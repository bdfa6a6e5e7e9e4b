"""The customer's answer to the bot's answer: "That solved it" or "I still need help".

Only people of the customer's organisation may answer for the conversation; each change of
state is one conditional UPDATE, so double clicks and concurrent clicks change it once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col

from app.config_file import EscalationConfig
from app.db.decisions import add_decision, latest_decision
from app.db.engine import session_scope
from app.db.escalations import open_escalation_for
from app.db.models import Account, Conversation, TriageDecision, utcnow
from app.domain.customers import customer_may_act
from app.domain.replies import BotReply
from app.escalations.customer import handoff_reply
from app.escalations.service import open_escalation
from app.policy.matrix import RepeatContext, decide
from app.triage.signals import Signals, sentiment_label

ANSWERED = ("answered", "contained")


@dataclass(frozen=True)
class FeedbackResult:
    changed: bool  # False: refused, or nothing to change (a repeated click)
    notice: str  # what the person who clicked is told
    channel: str = ""
    thread_ts: str = ""
    handoff: BotReply | None = None  # set when the support team must be brought in
    decision_id: int | None = None
    escalation_id: int | None = None


def mark_solved(
    *, engine: Engine, conversation_id: int, user_id: str, user_team: str | None
) -> FeedbackResult:
    with session_scope(engine) as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            return FeedbackResult(False, "This conversation no longer exists.")
        if not customer_may_act(conversation, user_id=user_id, user_team=user_team):
            return FeedbackResult(False, "Only the customer who asked can mark this as solved.")
        result = session.execute(
            update(Conversation)
            .where(col(Conversation.id) == conversation_id, col(Conversation.status) == "answered")
            .values(status="contained", contained_at=utcnow(), updated_at=utcnow())
        )
        changed = bool(result.rowcount)  # type: ignore[attr-defined]
        status = conversation.status if not changed else "contained"
        channel, thread_ts = conversation.channel_id, conversation.thread_ts
    if changed:
        return FeedbackResult(True, "Glad that helped!", channel, thread_ts)
    if status == "escalated":
        return FeedbackResult(False, "Our support team is already on this conversation.")
    return FeedbackResult(False, "Already marked as solved. Thanks!", channel, thread_ts)


def request_human(
    *,
    engine: Engine,
    config: EscalationConfig,
    conversation_id: int,
    user_id: str,
    user_team: str | None,
) -> FeedbackResult:
    """Escalate with the repeat trigger ("the answer did not help"), once."""
    with session_scope(engine) as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            return FeedbackResult(False, "This conversation no longer exists.")
        if not customer_may_act(conversation, user_id=user_id, user_team=user_team):
            return FeedbackResult(False, "Only the customer who asked can ask for more help here.")
        result = session.execute(
            update(Conversation)
            .where(col(Conversation.id) == conversation_id, col(Conversation.status).in_(ANSWERED))
            .values(status="escalated", escalated_at=utcnow(), updated_at=utcnow())
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return FeedbackResult(False, "Our support team is already on this conversation.")
        previous = latest_decision(session=session, conversation_id=conversation_id)
        account = session.get(Account, conversation.account_id)
        assert account is not None
        row = add_decision(
            session=session,
            decision=_repeat_decision(config, previous, account.tier, conversation_id),
        )
        now = utcnow()
        escalation = open_escalation_for(session=session, conversation_id=conversation_id)
        if escalation is None:
            escalation = open_escalation(
                session=session,
                config=config,
                conversation=conversation,
                account=account,
                skill=config.taxonomy.skill_map.get(row.intent, "general"),
                language=row.language if len(row.language) == 2 else account.language,
                decision_id=row.id,
                page_url=None,
                now=now,
            )
        handoff = handoff_reply(
            session, config, escalation, customer_user_id=conversation.customer_user_id, now=now
        )
        return FeedbackResult(
            True,
            "I'm bringing in our support team.",
            conversation.channel_id,
            conversation.thread_ts,
            handoff,
            row.id,
            escalation.id,
        )


def _repeat_decision(
    config: EscalationConfig, previous: TriageDecision | None, tier: str, conversation_id: int
) -> TriageDecision:
    intent = previous.intent if previous else "human_request"
    sentiment = previous.sentiment if previous else 0.0
    language = previous.language if previous else "en"
    confidence = previous.confidence if previous else 0.0
    signals = Signals(
        intent=intent,
        intent_confidence=1.0,
        sentiment=sentiment,
        sentiment_label=sentiment_label(sentiment),
        language=language,
        frustration=previous.frustration if previous else False,
    )
    decision = decide(
        signals=signals,
        confidence=confidence,
        tier=tier,
        policy=config.policy,
        repeat=RepeatContext(after_bot_answer=True, said_not_helped=True),
    )
    return TriageDecision(
        conversation_id=conversation_id,
        message_id=None,
        escalate=True,
        fired_triggers=",".join(decision.fired_types) or "repeat",
        triggers=json.dumps(decision.as_record()),
        intent=intent,
        sentiment=sentiment,
        language=language,
        frustration=signals.frustration,
        confidence=confidence,
        summary=previous.summary if previous else "",
        backend="customer",
    )
