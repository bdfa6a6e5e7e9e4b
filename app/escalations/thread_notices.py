"""What the customer's thread is told as their escalation moves: who joined when it is claimed,
the closing message and the hand-off survey when it is resolved; and the survey of a
conversation the bot's answer solved.

Each notice is an outbox row stored in the transaction of the claim or resolution, so a process
that dies right after it loses nothing. The notices of one thread form a sequence: they go out in
the order they were stored, a later one waiting while an earlier one is not yet delivered. The
click's own process delivers them at once; the outbox sweep delivers any left (due
``NOTICE_GRACE`` after they were stored, so the click's process goes first), and a later attempt
looks in the thread first for a message a dead process may have posted, so none is sent twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.config_file import EscalationConfig
from app.csat.service import ESCALATION, mark_posted, open_survey
from app.db.engine import session_scope
from app.db.models import Conversation, Escalation, as_utc, utcnow
from app.delivery.outbox import STORER_GRACE, Only, deliver_due, enqueue
from app.delivery.outcomes import AttemptSender, Delivered
from app.escalations.customer import closing_text, joined_text

KIND = "slack.thread_notice"
NOTICE_GRACE = STORER_GRACE  # left this long to the process of the click that stored it


def thread_sequence(channel: str, thread_ts: str) -> str:
    """The outbox sequence of a thread's messages."""
    return f"thread:{channel}:{thread_ts}"


def _queue(
    session: Session,
    escalation: Escalation,
    conversation: Conversation,
    *,
    notice: str,
    key: str,
    now: datetime,
    text: str | None = None,
    rating_id: int | None = None,
) -> None:
    """Store an escalation's notice to post (once per key: queuing it again changes nothing)."""
    _store(
        session,
        conversation,
        team_id=escalation.team_id,
        escalation_id=escalation.id,
        notice=notice,
        key=key,
        now=now,
        text=text,
        rating_id=rating_id,
    )


def _store(
    session: Session,
    conversation: Conversation,
    *,
    team_id: str,
    escalation_id: int | None,
    notice: str,
    key: str,
    now: datetime,
    text: str | None = None,
    rating_id: int | None = None,
    survey_kind: str = ESCALATION,
) -> None:
    channel, thread_ts = conversation.channel_id, conversation.thread_ts
    payload: dict[str, Any] = {
        "team_id": team_id,
        "escalation_id": escalation_id,
        "notice": notice,
        "channel": channel,
        "thread_ts": thread_ts,
        "text": text,
        "rating_id": rating_id,
        "survey_kind": survey_kind,
    }
    enqueue(
        session=session,
        kind=KIND,
        idempotency_key=key,
        payload=payload,
        now=now,
        sequence=thread_sequence(channel, thread_ts),
        due_at=now + NOTICE_GRACE,
    )


def queue_joined(
    *, session: Session, config: EscalationConfig, escalation: Escalation, now: datetime
) -> None:
    """The claimed escalation's "<agent> joined" line (one per claim: a reassigned escalation
    claimed again is announced again)."""
    assert escalation.id is not None and escalation.claimed_by and escalation.claimed_at
    conversation = session.get_one(Conversation, escalation.conversation_id)
    claimed_ms = int(as_utc(escalation.claimed_at).timestamp() * 1000)
    _queue(
        session,
        escalation,
        conversation,
        notice="joined",
        key=f"joined:{escalation.id}:{claimed_ms}",
        text=joined_text(config, language=escalation.language, agent_user_id=escalation.claimed_by),
        now=now,
    )


def queue_resolution(
    *, session: Session, config: EscalationConfig, escalation: Escalation, now: datetime
) -> None:
    """The resolved escalation's closing message, then its hand-off survey (stored with it)."""
    assert escalation.id is not None
    conversation = session.get_one(Conversation, escalation.conversation_id)
    _queue(
        session,
        escalation,
        conversation,
        notice="closing",
        key=f"closing:{escalation.id}",
        text=closing_text(config, language=escalation.language),
        now=now,
    )
    survey = open_survey(
        session=session,
        kind=ESCALATION,
        conversation_id=escalation.conversation_id,
        escalation_id=escalation.id,
        now=now,
        hours=config.reports.csat_survey_hours,
    )
    if survey.survey_ts is None:
        _queue(
            session,
            escalation,
            conversation,
            notice="survey",
            key=f"survey:{survey.id}",
            rating_id=survey.id,
            now=now,
        )


def queue_survey(
    *, session: Session, conversation: Conversation, rating_id: int, kind: str, now: datetime
) -> None:
    """The survey of a conversation that needed no person (the customer's "that solved it"),
    in its thread like the notices of an escalation."""
    _store(
        session,
        conversation,
        team_id=conversation.team_id,
        escalation_id=None,
        notice="survey",
        key=f"survey:{rating_id}",
        now=now,
        rating_id=rating_id,
        survey_kind=kind,
    )


def record_notice(session: Session, payload: dict[str, Any], delivered: Delivered) -> None:
    """A posted survey is the rating's message (its buttons answer it)."""
    if payload.get("rating_id") is not None:
        mark_posted(
            session=session,
            rating_id=int(payload["rating_id"]),
            channel=str(payload["channel"]),
            ts=delivered.external_id,
        )


def deliver_notices(*, engine: Engine, sender: AttemptSender, escalation_id: int) -> int:
    """Post the escalation's waiting notices, in order (the click's process, right after it)."""
    with session_scope(engine) as session:
        escalation = session.get(Escalation, escalation_id)
        if escalation is None:
            return 0
        conversation = session.get_one(Conversation, escalation.conversation_id)
        channel, thread_ts = conversation.channel_id, conversation.thread_ts
    return deliver_thread(engine=engine, sender=sender, channel=channel, thread_ts=thread_ts)


def deliver_thread(*, engine: Engine, sender: AttemptSender, channel: str, thread_ts: str) -> int:
    """Post a thread's waiting notices, in order.

    Notices stored meanwhile (the agent resolved while "joined" was being posted) are taken
    too; those behind a notice another process is posting, or one that failed, are left to the
    outbox sweep."""
    report = deliver_due(
        engine=engine,
        senders={KIND: sender},
        recorders={KIND: record_notice},
        now=utcnow(),
        only=Only(sequence=thread_sequence(channel, thread_ts)),
    )
    return len(report.delivered)
