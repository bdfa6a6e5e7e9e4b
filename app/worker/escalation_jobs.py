"""Escalation jobs of the worker: the claim-window sweep, and cards that failed to post."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import col, select

from app.conversations.flow import record_reply, reply_key
from app.conversations.intake import BotIdentity
from app.db.engine import session_scope
from app.db.escalations import escalation_for_decision, escalations_without_card
from app.db.models import Conversation, TriageDecision
from app.escalations.customer import handoff_reply
from app.escalations.handoff import post_card, record_card_failure
from app.escalations.live_wait import refresh_wait_lines
from app.escalations.overflow import sweep_overflow
from app.runtime import Runtime
from app.slack.agent_desk import SlackAgentDesk
from app.slack.gateway import SlackConnection, SlackRefusedError
from app.slack.replier import SlackThreadReplier

logger = logging.getLogger(__name__)

CARD_GRACE = timedelta(minutes=1)  # the web process posts the card right away; after that, us


def sweep_claim_windows(*, runtime: Runtime, client: SlackConnection, now: datetime) -> int:
    return sweep_overflow(
        engine=runtime.engine,
        config=runtime.config,
        desk=SlackAgentDesk(client),
        now=now,
        team_id=runtime.team_filter,
    )


def refresh_customer_wait_lines(*, runtime: Runtime, client: SlackConnection, now: datetime) -> int:
    return refresh_wait_lines(
        engine=runtime.engine,
        config=runtime.config,
        team_id=runtime.team.team_id,
        editor=SlackThreadReplier(client),
        now=now,
    )


def post_missing_cards(*, runtime: Runtime, client: SlackConnection, now: datetime) -> int:
    with session_scope(runtime.engine) as session:
        pending = escalations_without_card(
            session=session, older_than=now - CARD_GRACE, team_id=runtime.team_filter
        )
    desk = SlackAgentDesk(client)
    posted = 0
    for escalation_id in pending:
        try:
            if post_card(
                engine=runtime.engine,
                config=runtime.config,
                desk=desk,
                escalation_id=escalation_id,
            ):
                posted += 1
        except SlackRefusedError as refusal:
            error = refusal.error
            record_card_failure(engine=runtime.engine, escalation_id=escalation_id, error=error)
            logger.warning("card of escalation %s not posted: %s", escalation_id, error)
    return posted


def post_missing_handoff_replies(
    *, runtime: Runtime, client: SlackConnection, bot: BotIdentity, now: datetime
) -> int:
    """Tell customers about hand-offs whose message failed to post when they pressed
    "I still need help" (hand-offs from messages are retried with their stored event)."""
    teams = [col(Conversation.team_id) == runtime.team_filter] if runtime.team_filter else []
    with session_scope(runtime.engine) as session:
        pending = [
            (row.id, row.conversation_id)
            for row in session.exec(
                select(TriageDecision)
                .join(Conversation, col(Conversation.id) == col(TriageDecision.conversation_id))
                .where(
                    *teams,
                    col(TriageDecision.escalate).is_(True),
                    col(TriageDecision.reply_ts).is_(None),
                    col(TriageDecision.message_id).is_(None),
                    col(TriageDecision.created_at) < now - CARD_GRACE,
                )
                .limit(20)
            )
        ]
    posted = 0
    replier = SlackThreadReplier(client)
    for decision_id, conversation_id in pending:
        with session_scope(runtime.engine) as session:
            escalation = escalation_for_decision(session=session, decision_id=decision_id)
            conversation = session.get(Conversation, conversation_id)
            if escalation is None or conversation is None:
                continue
            reply = handoff_reply(
                session,
                runtime.config,
                escalation,
                customer_user_id=conversation.customer_user_id,
                now=now,
            )
            channel, thread_ts = conversation.channel_id, conversation.thread_ts
        try:
            sent = replier.post_reply(
                channel=channel,
                thread_ts=thread_ts,
                reply=reply,
                key=reply_key(decision_id),
                maybe_sent=True,  # the click's own attempt may have posted it, then failed
            )
        except SlackRefusedError as refusal:
            logger.warning("hand-off reply %s not posted: %s", decision_id, refusal.error)
            continue
        record_reply(
            engine=runtime.engine,
            decision_id=decision_id,
            conversation_id=conversation_id,
            posted=sent,
            bot=bot,
        )
        posted += 1
    return posted
