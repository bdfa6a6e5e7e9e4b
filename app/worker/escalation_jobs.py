"""Escalation jobs of the worker: the claim-window sweep, and cards that failed to post."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.db.engine import session_scope
from app.db.escalations import escalations_without_card
from app.escalations.handoff import post_card, record_card_failure
from app.escalations.overflow import sweep_overflow
from app.runtime import Runtime
from app.slack.agent_desk import SlackAgentDesk

logger = logging.getLogger(__name__)

CARD_GRACE = timedelta(minutes=1)  # the web process posts the card right away; after that, us


def sweep_claim_windows(*, runtime: Runtime, client: WebClient, now: datetime) -> int:
    return sweep_overflow(
        engine=runtime.engine, config=runtime.config, desk=SlackAgentDesk(client), now=now
    )


def post_missing_cards(*, runtime: Runtime, client: WebClient, now: datetime) -> int:
    with session_scope(runtime.engine) as session:
        pending = escalations_without_card(session=session, older_than=now - CARD_GRACE)
    posted = 0
    for escalation_id in pending:
        try:
            if post_card(
                engine=runtime.engine,
                config=runtime.config,
                desk=SlackAgentDesk(client),
                escalation_id=escalation_id,
            ):
                posted += 1
        except SlackApiError as exc:
            error = str(exc.response.get("error", "error"))
            record_card_failure(engine=runtime.engine, escalation_id=escalation_id, error=error)
            logger.warning("card of escalation %s not posted: %s", escalation_id, error)
    return posted
