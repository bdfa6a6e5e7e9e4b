""" "Email me instead" after "Follow up later": the follow-up goes to the email address on the
customer's Slack profile (``users.info``, needs ``users:read.email``). The choice and the email
are stored first; the email is sent after the ack, and retried by the worker if SMTP is down."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from app.db.models import utcnow
from app.escalations.email_follow_up import (
    CONFIRMATION,
    choose_email_follow_up,
    deliver_due_emails,
    email_key,
)
from app.mail.smtp_sender import SmtpSender
from app.slack.gateway import SlackRefusedError, gateway_of
from app.slack.listeners.actions.clicks import record_click, tell
from app.slack.listeners.actions.follow_up_later import show_follow_up_choice

logger = logging.getLogger(__name__)


def follow_up_by_email(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    pressed = record_click(ack, body, action, context, client)
    if pressed is None:
        return
    click, conversation_id, runtime = pressed
    sender = SmtpSender.from_settings(runtime.settings)
    if sender is None:
        tell(client, click, "Email follow-ups are not set up; we'll follow up in this thread.")
        return
    result, _email_id = choose_email_follow_up(
        engine=runtime.engine,
        config=runtime.config,
        conversation_id=conversation_id,
        user_id=click.user_id,
        user_team=click.user_team,
        address=_profile_email(client, click.user_id),
        now=utcnow(),
    )
    if not result.changed or result.escalation_id is None:
        tell(client, click, result.notice)
        return
    show_follow_up_choice(
        client,
        click,
        runtime,
        note=result.notice,
        email_label=None,
        conversation_id=conversation_id,
        escalation_id=result.escalation_id,
    )
    key = email_key(result.escalation_id, CONFIRMATION)  # sent now, even before it is due
    deliver_due_emails(engine=runtime.engine, sender=sender, now=utcnow(), only=key)


def _profile_email(client: WebClient, user_id: str) -> str | None:
    try:
        return gateway_of(client).user_email(user_id)
    except SlackRefusedError as refusal:
        logger.warning("profile of a customer not read: %s", refusal.error)
        return None
