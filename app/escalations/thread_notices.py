"""What the customer's thread is told as their escalation moves: who joined when it is claimed,
the closing message and the hand-off survey when it is resolved.

Each notice is stored in the transaction of the claim or resolution, so a process that dies right
after it loses nothing; the click's own process posts it at once, and the worker posts any left
waiting (after looking in the thread for one a dead poster may have sent), so none is sent twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.config_file import EscalationConfig
from app.csat.service import ESCALATION, mark_posted, open_survey
from app.db.engine import session_scope
from app.db.models import Conversation, Escalation, as_utc, utcnow
from app.db.thread_notices import (
    Notice,
    finish_notice,
    free_notices,
    queue_notice,
    release_notice,
    take_notices,
)
from app.domain.replies import Posted
from app.escalations.customer import closing_text, joined_text

logger = logging.getLogger(__name__)

NOTICE_LEASE = timedelta(minutes=2)  # a post (with its rate-limit waits) takes less
# The worker leaves a notice this long to the process of the click that stored it.
NOTICE_GRACE = timedelta(minutes=1)


class ThreadPoster(Protocol):
    """Posts product-written messages in a customer's thread, each marked with ``key``; with
    ``maybe_sent`` the thread is read first and a message carrying ``key`` is returned instead
    of posting it again."""

    def post_text(
        self,
        *,
        channel: str,
        thread_ts: str,
        text: str,
        key: str | None = None,
        maybe_sent: bool = False,
    ) -> Posted: ...

    def post_survey(
        self,
        *,
        channel: str,
        thread_ts: str,
        kind: str,
        rating_id: int,
        key: str | None = None,
        maybe_sent: bool = False,
    ) -> Posted: ...


def queue_joined(
    *, session: Session, config: EscalationConfig, escalation: Escalation, now: datetime
) -> None:
    """The claimed escalation's "<agent> joined" line (one per claim: a reassigned escalation
    claimed again is announced again)."""
    assert escalation.id is not None and escalation.claimed_by and escalation.claimed_at
    conversation = session.get_one(Conversation, escalation.conversation_id)
    claimed_ms = int(as_utc(escalation.claimed_at).timestamp() * 1000)
    queue_notice(
        session=session,
        escalation_id=escalation.id,
        kind="joined",
        key=f"joined:{escalation.id}:{claimed_ms}",
        channel=conversation.channel_id,
        thread_ts=conversation.thread_ts,
        text=joined_text(config, language=escalation.language, agent_user_id=escalation.claimed_by),
        now=now,
    )


def queue_resolution(
    *, session: Session, config: EscalationConfig, escalation: Escalation, now: datetime
) -> None:
    """The resolved escalation's closing message, then its hand-off survey (stored with it)."""
    assert escalation.id is not None
    conversation = session.get_one(Conversation, escalation.conversation_id)
    channel, thread_ts = conversation.channel_id, conversation.thread_ts
    queue_notice(
        session=session,
        escalation_id=escalation.id,
        kind="closing",
        key=f"closing:{escalation.id}",
        channel=channel,
        thread_ts=thread_ts,
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
        queue_notice(
            session=session,
            escalation_id=escalation.id,
            kind="survey",
            key=f"survey:{survey.id}",
            channel=channel,
            thread_ts=thread_ts,
            rating_id=survey.id,
            now=now,
        )


def post_notices(*, engine: Engine, poster: ThreadPoster, escalation_id: int) -> int:
    """Post the escalation's waiting notices, in order (the click's process, right after it).

    Notices stored meanwhile (the agent resolved while "joined" was being posted) are taken
    next; those behind a notice another process is posting are left to that process."""
    posted = 0
    while True:
        now = utcnow()  # each round's lease runs from when it is taken
        with session_scope(engine) as session:
            notices = take_notices(
                session=session, now=now, lease=NOTICE_LEASE, escalation_id=escalation_id
            )
        sent = _post_all(engine, poster, notices, now=now, recovering=False)
        posted += sent
        if not notices or sent < len(notices):  # nothing left, or one failed: the worker's
            return posted


def post_waiting_notices(
    *, engine: Engine, poster: ThreadPoster, now: datetime, team_id: str | None = None
) -> int:
    """The worker's pass: notices whose click's process died (or failed to post) before sending
    them. The thread is read first, in case the dead poster's message went out."""
    with session_scope(engine) as session:
        notices = take_notices(
            session=session, now=now, lease=NOTICE_LEASE, waited=NOTICE_GRACE, team_id=team_id
        )
    return _post_all(engine, poster, notices, now=now, recovering=True)


def _post_all(
    engine: Engine, poster: ThreadPoster, notices: list[Notice], *, now: datetime, recovering: bool
) -> int:
    posted = 0
    for n, notice in enumerate(notices):
        try:
            sent = _post(poster, notice, maybe_sent=recovering or notice.attempts > 0)
        except Exception as exc:  # Slack refused or failed: the worker tries again later
            logger.warning("notice %s not posted: %s", notice.key, type(exc).__name__)
            with session_scope(engine) as session:
                release_notice(session=session, notice_id=notice.id, error=_error(exc))
                # the thread reads in order: the notices after it wait with it
                free_notices(session=session, notice_ids=[later.id for later in notices[n + 1 :]])
            break
        with session_scope(engine) as session:
            finish_notice(session=session, notice_id=notice.id, ts=sent.ts, now=now)
            if notice.rating_id is not None:
                mark_posted(
                    session=session, rating_id=notice.rating_id, channel=notice.channel, ts=sent.ts
                )
        posted += 1
    return posted


def _post(poster: ThreadPoster, notice: Notice, *, maybe_sent: bool) -> Posted:
    where = {"channel": notice.channel, "thread_ts": notice.thread_ts}
    if notice.rating_id is not None:
        return poster.post_survey(
            kind=ESCALATION,
            rating_id=notice.rating_id,
            key=notice.key,
            maybe_sent=maybe_sent,
            **where,
        )
    return poster.post_text(text=notice.text or "", key=notice.key, maybe_sent=maybe_sent, **where)


def _error(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    error = response.get("error") if response is not None and hasattr(response, "get") else None
    return str(error or type(exc).__name__)
