"""Proactive notices: while a playbook with a ``notice`` runs, a lead posts one acknowledgement
to every customer channel of the affected tiers, so customers need not ask.

A request stores one row per channel (unique per surge and channel: a channel hears it once per
surge, however often leads ask). The worker posts the pending rows, paced, after the request was
acknowledged; a channel Slack refuses for good (the bot left, the channel is archived) is marked
failed, anything else is tried again on the next pass. When nothing is left pending, the leads are
told the outcome once (a conditional UPDATE on the surge).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.config_file import EscalationConfig
from app.db.engine import session_scope
from app.db.models import Surge, SurgeNotice
from app.surge.playbook import fill_playbook_text
from app.surge.service import active_surge

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
STALE_CLAIM = timedelta(minutes=5)
BATCH = 100


class NoticePoster(Protocol):
    def post_notice(self, *, channel: str, text: str) -> str:
        """Post and return the message's ts; raise NoticeRefusedError."""
        ...


class NoticeRefusedError(Exception):
    def __init__(self, error: str, *, permanent: bool) -> None:
        super().__init__(error)
        self.error = error
        self.permanent = permanent


@dataclass(frozen=True)
class NoticeRequest:
    queued: int
    message: str  # for the lead who asked
    surge_id: int | None = None


def request_notices(
    *,
    session: Session,
    config: EscalationConfig,
    team_id: str,
    requested_by: str,
    now: datetime,
    surge_id: int | None = None,
) -> NoticeRequest:
    """Queue the running playbook's notice for every affected channel not yet notified (only if
    ``surge_id``, when given, is the installation's running one: a button from an earlier surge
    does nothing)."""
    surge = active_surge(session=session, team_id=team_id)
    if surge is None or surge.id is None:
        return NoticeRequest(0, "No surge playbook is running.")
    if surge_id is not None and surge_id != surge.id:
        return NoticeRequest(0, f"Surge #{surge_id} has ended; nothing was posted.", surge.id)
    playbook = config.surge.playbooks.get(surge.playbook)
    if playbook is None or not playbook.notice:
        return NoticeRequest(0, f"The {surge.playbook} playbook has no customer notice.", surge.id)
    channels = [a.channel for a in config.accounts if a.tier in playbook.notice_tiers]
    known = set(
        session.exec(
            select(SurgeNotice.channel_id).where(col(SurgeNotice.surge_id) == surge.id)
        ).all()
    )
    queued = 0
    for channel in channels:
        if channel in known:
            continue
        try:
            with session.begin_nested():
                session.add(
                    SurgeNotice(
                        surge_id=surge.id,
                        channel_id=channel,
                        requested_by=requested_by,
                        created_at=now,
                    )
                )
            queued += 1
        except IntegrityError:  # another lead's request queued it a moment ago
            continue
    if not queued:
        return NoticeRequest(
            0,
            f"Every affected channel ({len(channels)}) already has the notice for "
            f"surge #{surge.id}.",
            surge.id,
        )
    session.execute(update(Surge).where(col(Surge.id) == surge.id).values(notices_reported_at=None))
    tiers = ", ".join(playbook.notice_tiers)
    return NoticeRequest(
        queued,
        f"Posting the {surge.playbook} notice to {queued} customer channels ({tiers}); "
        "the outcome follows in the leads channel.",
        surge.id,
    )


def notice_text(config: EscalationConfig, surge: Surge) -> str | None:
    playbook = config.surge.playbooks.get(surge.playbook)
    if playbook is None or not playbook.notice:
        return None
    return fill_playbook_text(playbook.notice, status_url=surge.status_url, note=surge.note)


@dataclass(frozen=True)
class NoticeRun:
    sent: int
    report: str | None  # the outcome for the leads, once every notice of the surge is done


def send_notices(
    *,
    engine: Engine,
    config: EscalationConfig,
    team_id: str,
    poster: NoticePoster,
    now: datetime,
    interval: float = 0.0,
    pause: Callable[[float], None] | None = None,
    limit: int = BATCH,
) -> NoticeRun:
    """Post the installation's running surge's pending notices, ``interval`` seconds apart."""
    with session_scope(engine) as session:
        surge = active_surge(session=session, team_id=team_id)
        if surge is None or surge.id is None:
            return NoticeRun(0, None)
        surge_id, text = surge.id, notice_text(config, surge)
        # A pass that died between its claim and its result: try those channels again.
        session.execute(
            update(SurgeNotice)
            .where(
                col(SurgeNotice.surge_id) == surge_id,
                col(SurgeNotice.status) == "posting",
                col(SurgeNotice.claimed_at) < now - STALE_CLAIM,
            )
            .values(status="pending")
        )
        pending = session.exec(
            select(SurgeNotice.id, SurgeNotice.channel_id)
            .where(col(SurgeNotice.surge_id) == surge_id, col(SurgeNotice.status) == "pending")
            .order_by(col(SurgeNotice.id))
            .limit(limit)
        ).all()
    if text is None:
        return NoticeRun(0, None)
    sent = 0
    for position, (notice_id, channel) in enumerate(pending):
        if position and interval and pause is not None:
            pause(interval)
        if notice_id is None or not _claim(engine, notice_id, now):
            continue
        try:
            ts = poster.post_notice(channel=channel, text=text)
        except NoticeRefusedError as exc:
            _refused(engine, notice_id, exc)
            logger.warning("surge notice to %s not posted: %s", channel, exc.error)
            continue
        with session_scope(engine) as session:
            session.execute(
                update(SurgeNotice)
                .where(col(SurgeNotice.id) == notice_id)
                .values(status="sent", ts=ts, sent_at=now, error=None)
            )
        sent += 1
    return NoticeRun(sent, _report_once(engine, surge_id, now))


def _claim(engine: Engine, notice_id: int, now: datetime) -> bool:
    """Take a pending notice for this pass ('posting'), so that no other worker posts it."""
    with session_scope(engine) as session:
        result = session.execute(
            update(SurgeNotice)
            .where(col(SurgeNotice.id) == notice_id, col(SurgeNotice.status) == "pending")
            .values(status="posting", claimed_at=now, attempts=col(SurgeNotice.attempts) + 1)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _refused(engine: Engine, notice_id: int, exc: NoticeRefusedError) -> None:
    with session_scope(engine) as session:
        row = session.get(SurgeNotice, notice_id)
        assert row is not None
        final = exc.permanent or row.attempts >= MAX_ATTEMPTS
        row.status = "failed" if final else "pending"
        row.error = exc.error[:200]
        session.add(row)


def _report_once(engine: Engine, surge_id: int, now: datetime) -> str | None:
    with session_scope(engine) as session:
        counts = dict(
            session.execute(
                select(col(SurgeNotice.status), func.count(col(SurgeNotice.id)))
                .where(col(SurgeNotice.surge_id) == surge_id)
                .group_by(col(SurgeNotice.status))
            ).all()
        )
        if not counts or counts.get("pending") or counts.get("posting"):
            return None
        taken = session.execute(
            update(Surge)
            .where(col(Surge.id) == surge_id, col(Surge.notices_reported_at).is_(None))
            .values(notices_reported_at=now)
        )
        if not taken.rowcount:  # type: ignore[attr-defined]
            return None
        failed = session.exec(
            select(SurgeNotice.channel_id, SurgeNotice.error).where(
                col(SurgeNotice.surge_id) == surge_id, col(SurgeNotice.status) == "failed"
            )
        ).all()
    total = sum(int(n) for n in counts.values())
    line = (
        f"Surge #{surge_id} customer notice: posted in {counts.get('sent', 0)} of {total} channels."
    )
    if failed:
        line += " Not posted: " + ", ".join(f"<#{c}> ({e})" for c, e in failed[:20]) + "."
    return line
