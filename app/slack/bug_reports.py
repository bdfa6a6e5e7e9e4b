"""Bug reports on the Slack side: the thread link that goes in a report, and announcing issue
links (refreshed card, a line under it) once the trackers have them."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.engine import Engine

from app.bugs.links import claim_announcement, ready_announcements, release_announcement
from app.config_file import EscalationConfig
from app.db.engine import session_scope
from app.db.models import Conversation, Escalation
from app.escalations.handoff import refresh_cards
from app.integrations.alerts import thread_link
from app.slack.agent_desk import SlackAgentDesk
from app.slack.blocks.bug_report import announcement_text
from app.slack.gateway import SlackConnection, SlackRefusedError, gateway_of

logger = logging.getLogger(__name__)


def customer_thread_url(engine: Engine, escalation_id: int) -> str | None:
    """A link to the escalation's customer thread, built without a Slack call so that it can be
    taken inside the 3 seconds of a modal submission (None if the escalation is gone)."""
    with session_scope(engine) as session:
        escalation = session.get(Escalation, escalation_id)
        conversation = session.get(Conversation, escalation.conversation_id) if escalation else None
        if conversation is None:
            return None
        return thread_link(conversation.channel_id, conversation.thread_ts)


def announce_bug_reports(
    *,
    engine: Engine,
    config: EscalationConfig,
    client: SlackConnection,
    now: datetime,
    team_id: str | None = None,
) -> int:
    """Post each ready report's issue links on its card and in the card's thread; how many.
    With ``team_id``, only the reports of that installation's escalations."""
    slack = gateway_of(client)
    desk = SlackAgentDesk(slack)
    with session_scope(engine) as session:
        ready = ready_announcements(session, team_id=team_id)
    posted = 0
    for announcement in ready:
        with session_scope(engine) as session:
            if not claim_announcement(session, row_id=announcement.row_id, now=now):
                continue
            escalation = session.get(Escalation, announcement.escalation_id)
            assert escalation is not None
            card = (escalation.card_channel, escalation.card_ts)
        refresh_cards(
            engine=engine, config=config, desk=desk, escalation_id=announcement.escalation_id
        )
        if card[0] and card[1]:
            try:
                slack.post_message(
                    channel=card[0],
                    thread_ts=card[1],
                    text=announcement_text(announcement),
                    unfurl_links=False,
                )
            except SlackRefusedError as refusal:
                logger.warning(
                    "bug report link for escalation %s not posted: %s",
                    announcement.escalation_id,
                    refusal.error,
                )
                with session_scope(engine) as session:
                    release_announcement(session, row_id=announcement.row_id)
                continue
        posted += 1
    return posted
