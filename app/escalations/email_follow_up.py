"""Follow-up by email: a customer who chose "Follow up later" may ask for email instead.

The choice and the confirmation email are stored together first; the email is then sent right
after the click, and whatever the SMTP server did not take is retried by the worker with growing
pauses. Each send is claimed with a conditional UPDATE (a short lease on ``next_attempt_at``), so
the web process and the worker, or two workers, never send the same email twice.
"""

from __future__ import annotations

import html
import logging
import re
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.config_file import EscalationConfig
from app.db.engine import session_scope
from app.db.models import Conversation, Escalation, FollowUpEmail
from app.domain.customers import customer_may_act
from app.escalations.service import Change
from app.mail.sender import MailSender, MailSendError
from app.messages import format_window, render

logger = logging.getLogger(__name__)

CONFIRMATION = "confirmation"
REPLY_PREFIX = "reply-"  # kind of an agent's reply: reply-<message id>
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)  # a claimed send that never reported back is tried again after
BACKOFF_MINUTES = (1, 2, 5, 10, 30, 60, 120)
MAX_ADDRESS = 320


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
    """Switch a chosen follow-up to email; returns the change and the stored email's id."""
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
        email = FollowUpEmail(
            escalation_id=row.id,
            kind=CONFIRMATION,
            to_address=address,
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
            next_attempt_at=now,
            created_at=now,
        )
        session.add(email)
        try:
            session.flush()
        except IntegrityError:  # a concurrent click stored it first
            session.rollback()
            return Change(False, _chosen(config, language), row.id), None
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
    chosen = session.exec(
        select(FollowUpEmail).where(
            col(FollowUpEmail.escalation_id) == escalation.id,
            col(FollowUpEmail.kind) == CONFIRMATION,
        )
    ).first()
    kind = f"{REPLY_PREFIX}{message_id}"
    already = session.exec(
        select(FollowUpEmail.id).where(
            col(FollowUpEmail.escalation_id) == escalation.id, col(FollowUpEmail.kind) == kind
        )
    ).first()
    if chosen is None or already is not None:
        return None
    email = FollowUpEmail(
        escalation_id=escalation.id,
        kind=kind,
        to_address=chosen.to_address,
        subject=f"Re: {chosen.subject}",
        body=plain_text(text),
        next_attempt_at=now,
        created_at=now,
    )
    session.add(email)
    session.flush()
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


def deliver_due_emails(
    *,
    engine: Engine,
    sender: MailSender,
    now: datetime,
    only: int | None = None,
    limit: int = 20,
) -> int:
    """Send the stored emails that are due (or just ``only``); returns how many were sent."""
    with session_scope(engine) as session:
        query = select(FollowUpEmail.id).where(
            col(FollowUpEmail.status) == "pending", col(FollowUpEmail.next_attempt_at) <= now
        )
        if only is not None:
            query = query.where(col(FollowUpEmail.id) == only)
        due = [i for i in session.exec(query.order_by(col(FollowUpEmail.id)).limit(limit)) if i]
    sent = 0
    for email_id in due:
        claimed = _claim(engine, email_id, now)
        if claimed is None:
            continue
        to, subject, body, attempts = claimed
        try:
            sender.send(to=to, subject=subject, body=body)
        except MailSendError as exc:
            _failed(engine, email_id, attempts, str(exc), now)
            logger.warning("follow-up email %s not sent (attempt %s): %s", email_id, attempts, exc)
            continue
        with session_scope(engine) as session:
            session.execute(
                update(FollowUpEmail)
                .where(col(FollowUpEmail.id) == email_id)
                .values(status="sent", sent_at=now, error=None)
            )
        sent += 1
    return sent


def _claim(engine: Engine, email_id: int, now: datetime) -> tuple[str, str, str, int] | None:
    with session_scope(engine) as session:
        result = session.execute(
            update(FollowUpEmail)
            .where(
                col(FollowUpEmail.id) == email_id,
                col(FollowUpEmail.status) == "pending",
                col(FollowUpEmail.next_attempt_at) <= now,
            )
            .values(attempts=col(FollowUpEmail.attempts) + 1, next_attempt_at=now + LEASE)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return None
        row = session.get(FollowUpEmail, email_id)
        assert row is not None
        return row.to_address, row.subject, row.body, row.attempts


def _failed(engine: Engine, email_id: int, attempts: int, error: str, now: datetime) -> None:
    pause = BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]
    with session_scope(engine) as session:
        session.execute(
            update(FollowUpEmail)
            .where(col(FollowUpEmail.id) == email_id, col(FollowUpEmail.status) == "pending")
            .values(
                error=error[:200],
                status="failed" if attempts >= MAX_ATTEMPTS else "pending",
                next_attempt_at=now + timedelta(minutes=pause),
            )
        )
