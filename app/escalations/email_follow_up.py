"""Follow-up by email: a customer who chose "Follow up later" may ask for email instead.

The choice and the confirmation email are stored together first, the email as an outbox row
(kind ``EMAIL_KIND``, one per key ``follow-up-email:<escalation id>:<kind>``); the process that
stored it sends it right after the click, and whatever the SMTP server did not take is retried
by the worker's outbox delivery with its backoff, then left ``dead`` for the operators.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.config_file import EscalationConfig
from app.db.engine import session_scope
from app.db.models import Conversation, Escalation
from app.db.outbox_table import OutboxEvent
from app.delivery.outbox import Only, deliver_due, enqueue
from app.delivery.outcomes import Delivered, RetryableError
from app.domain.customers import customer_may_act
from app.escalations.service import Change
from app.mail.sender import MailSender, MailSendError
from app.messages import format_window, render

EMAIL_KIND = "email.follow_up"
CONFIRMATION = "confirmation"
REPLY_PREFIX = "reply-"  # kind of an agent's reply: reply-<message id>
SENT = "sent"  # the external id of a sent email (SMTP gives none back)
MAX_ADDRESS = 320


def email_key(escalation_id: int, kind: str) -> str:
    """The outbox key of an escalation's email of ``kind`` (confirmation, reply-<id>)."""
    return f"follow-up-email:{escalation_id}:{kind}"


def _enqueue_email(
    *,
    session: Session,
    escalation_id: int,
    kind: str,
    to: str,
    subject: str,
    body: str,
    now: datetime,
) -> OutboxEvent:
    payload = {
        "to": to,
        "subject": subject,
        "body": body,
        "escalation_id": escalation_id,
        "kind": kind,
    }
    return enqueue(
        session=session,
        kind=EMAIL_KIND,
        idempotency_key=email_key(escalation_id, kind),
        payload=payload,
        now=now,
    )


def _stored_email(session: Session, escalation_id: int, kind: str) -> OutboxEvent | None:
    query = select(OutboxEvent).where(
        col(OutboxEvent.idempotency_key) == email_key(escalation_id, kind)
    )
    return session.exec(query).first()


def confirmation_payload(session: Session, escalation_id: int) -> dict[str, Any] | None:
    """The confirmation email stored for the escalation (address, subject, ...), or None."""
    row = _stored_email(session, escalation_id, CONFIRMATION)
    return None if row is None else dict(json.loads(row.payload))


def choose_email_follow_up(
    *,
    engine: Engine,
    config: EscalationConfig,
    conversation_id: int,
    user_id: str,
    user_team: str | None,
    address: str | None,
    now: datetime,
) -> tuple[Change, int | None]:
    """Switch a chosen follow-up to email; returns the change and the stored email's outbox
    id (its key is ``email_key(escalation id, CONFIRMATION)``)."""
    with session_scope(engine) as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            return Change(False, "This conversation no longer exists."), None
        if not customer_may_act(conversation, user_id=user_id, user_team=user_team):
            return Change(False, "Only the customer who asked can choose this."), None
        row = session.exec(
            select(Escalation).where(
                col(Escalation.conversation_id) == conversation_id,
                col(Escalation.status) == "pending",
            )
        ).first()
        if row is None or row.id is None:
            return Change(False, "Someone from our team is already on it."), None
        language = row.language
        if row.follow_up_by == "email":
            return Change(False, _chosen(config, language), row.id), None
        if not address or len(address) > MAX_ADDRESS or "@" not in address:
            missing = render(
                "follow_up.email_missing", language=language, overrides=config.messages
            )
            return Change(False, missing, row.id), None
        result = session.execute(
            update(Escalation)
            .where(col(Escalation.id) == row.id, col(Escalation.follow_up_by).is_(None))
            .values(follow_up_by="email", follow_up_later=True, follow_up_at=now, updated_at=now)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return Change(False, _chosen(config, language), row.id), None
        reference = f"#{row.id}"
        window = format_window(config.sla.async_minutes, language=language)
        if _stored_email(session, row.id, CONFIRMATION) is not None:  # chosen before
            session.rollback()
            return Change(False, _chosen(config, language), row.id), None
        email = _enqueue_email(
            session=session,
            escalation_id=row.id,
            kind=CONFIRMATION,
            to=address,
            subject=render(
                "email.subject", language=language, overrides=config.messages, reference=reference
            ),
            body=render(
                "email.body",
                language=language,
                overrides=config.messages,
                reference=reference,
                window=window,
            ),
            now=now,
        )
        return Change(True, _chosen(config, language), row.id), email.id


def queue_reply_email(
    *, session: Session, conversation_id: int, message_id: int, text: str, now: datetime
) -> int | None:
    """Our team's reply in the thread of a customer who chose email: stored (in the caller's
    transaction, once per message) to go to the address they chose; the id, or None when the
    customer is followed up in Slack."""
    escalation = session.exec(
        select(Escalation)
        .where(
            col(Escalation.conversation_id) == conversation_id,
            col(Escalation.follow_up_by) == "email",
            col(Escalation.status).in_(["pending", "claimed"]),
        )
        .order_by(col(Escalation.id).desc())
    ).first()
    if escalation is None or escalation.id is None or not text.strip():
        return None
    chosen = confirmation_payload(session, escalation.id)
    kind = f"{REPLY_PREFIX}{message_id}"
    if chosen is None or _stored_email(session, escalation.id, kind) is not None:
        return None
    email = _enqueue_email(
        session=session,
        escalation_id=escalation.id,
        kind=kind,
        to=str(chosen["to"]),
        subject=f"Re: {chosen['subject']}",
        body=plain_text(text),
        now=now,
    )
    return email.id


_SLACK_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_SLACK_BARE = re.compile(r"<(https?://[^|>]+)>")


def plain_text(text: str) -> str:
    """Slack's message markup as an email reads it: links as "label (url)", entities decoded."""
    text = _SLACK_LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = _SLACK_BARE.sub(lambda m: m.group(1), text)
    return html.unescape(text)


def _chosen(config: EscalationConfig, language: str) -> str:
    window = format_window(config.sla.async_minutes, language=language)
    return render(
        "follow_up.email_chosen", language=language, overrides=config.messages, window=window
    )


class EmailSender:
    """The outbox sender of ``EMAIL_KIND``: one email through the mail server; a refusal or an
    outage is retried by the outbox (the error's text names no address)."""

    def __init__(self, mail: MailSender) -> None:
        self.mail = mail

    def __call__(self, payload: dict[str, Any], key: str) -> Delivered:
        try:
            self.mail.send(to=payload["to"], subject=payload["subject"], body=payload["body"])
        except MailSendError as exc:
            raise RetryableError(str(exc)) from None
        return Delivered(external_id=SENT)


def deliver_due_emails(
    *, engine: Engine, sender: MailSender, now: datetime, only: str | None = None
) -> int:
    """Send the follow-up emails that are due, or just the one with the outbox key ``only``
    (even before it is due: the process that stored it sends it at once); how many were sent."""
    report = deliver_due(
        engine=engine,
        senders={EMAIL_KIND: EmailSender(sender)},
        now=now,
        only=Only(keys=(only,)) if only is not None else None,
    )
    return len(report.delivered)
