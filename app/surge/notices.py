"""Proactive notices: while a playbook with a ``notice`` runs, a lead posts one acknowledgement
to every customer channel of the affected tiers, so customers need not ask.

A request stores one outbox row per channel (kind ``KIND``, key
``surge-notice:<surge id>:<channel>``: a channel hears it once per surge, however often leads
ask) in the lead's transaction. The lead's process delivers them right after the ack; what it
leaves (it died, Slack failed) is delivered by the outbox sweep with the outbox's backoff. A
channel Slack refuses for good (the bot left, the channel is archived) is dead at once; the notice
of a surge that ended before it went out is not posted. When none of the surge's notices is left
pending or delivering, the leads are told the outcome once (a conditional UPDATE on the surge).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.config_file import EscalationConfig
from app.db.engine import session_scope
from app.db.models import Surge
from app.db.outbox_table import DEAD, DELIVERED, DELIVERING, PENDING, OutboxEvent
from app.delivery.outbox import STORER_GRACE, Only, deliver_due, enqueue
from app.delivery.outcomes import AttemptSender, Delivered, PermanentError
from app.surge.playbook import fill_playbook_text
from app.surge.service import active_surge

KIND = "slack.surge_notice"
NOTICE_GRACE = STORER_GRACE  # left this long to the lead's process that stored it
_ERROR_TYPE = re.compile(r"^(gave up: )?\w+Error: ")


def notice_key(surge_id: int, channel: str) -> str:
    """The outbox key of a surge's notice in one channel."""
    return f"{_key_prefix(surge_id)}{channel}"


def _key_prefix(surge_id: int) -> str:
    return f"surge-notice:{surge_id}:"


@dataclass(frozen=True)
class NoticeRequest:
    queued: int
    message: str  # for the lead who asked
    surge_id: int | None = None
    keys: tuple[str, ...] = ()  # the outbox keys of the notices queued


def _rows(session: Session, surge_id: int) -> list[OutboxEvent]:
    query = select(OutboxEvent).where(
        col(OutboxEvent.kind) == KIND,
        col(OutboxEvent.idempotency_key).startswith(_key_prefix(surge_id), autoescape=True),
    )
    return list(session.exec(query))


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
    known = {row.idempotency_key for row in _rows(session, surge.id)}
    keys: list[str] = []
    for channel in channels:
        key = notice_key(surge.id, channel)
        if key in known:
            continue
        payload = {
            "team_id": team_id,
            "surge_id": surge.id,
            "channel": channel,
            "requested_by": requested_by,
            "requested_at": now.isoformat(),
        }
        # another lead's request may store it a moment before: stored once all the same
        enqueue(
            session=session,
            kind=KIND,
            idempotency_key=key,
            payload=payload,
            now=now,
            due_at=now + NOTICE_GRACE,
        )
        keys.append(key)
    if not keys:
        return NoticeRequest(
            0,
            f"Every affected channel ({len(channels)}) already has the notice for "
            f"surge #{surge.id}.",
            surge.id,
        )
    session.execute(update(Surge).where(col(Surge.id) == surge.id).values(notices_reported_at=None))
    tiers = ", ".join(playbook.notice_tiers)
    return NoticeRequest(
        len(keys),
        f"Posting the {surge.playbook} notice to {len(keys)} customer channels ({tiers}); "
        "the outcome follows in the leads channel.",
        surge.id,
        tuple(keys),
    )


def notice_text(config: EscalationConfig, surge: Surge) -> str | None:
    playbook = config.surge.playbooks.get(surge.playbook)
    if playbook is None or not playbook.notice:
        return None
    return fill_playbook_text(playbook.notice, status_url=surge.status_url, note=surge.note)


class NoticeSender:
    """The outbox sender of ``KIND``: the running surge's notice, its text filled from the
    installation's playbook when it goes out, handed to ``post`` (which posts
    ``payload["text"]`` in ``payload["channel"]``). A surge that ended, or a playbook without a
    notice, posts nothing (the row is dead with the reason)."""

    def __init__(
        self,
        *,
        engine: Engine,
        config_for: Callable[[str], EscalationConfig],
        post: AttemptSender,
    ) -> None:
        self._engine = engine
        self._config_for = config_for
        self._post = post

    def send_attempt(self, payload: dict[str, Any], key: str, *, attempt: int) -> Delivered:
        surge_id = int(payload["surge_id"])
        with session_scope(self._engine) as session:
            surge = session.get(Surge, surge_id)
            if surge is None or surge.ended_at is not None:
                raise PermanentError(f"surge #{surge_id} ended before the notice was posted")
            text = notice_text(self._config_for(str(payload["team_id"])), surge)
            playbook = surge.playbook
        if text is None:
            raise PermanentError(f"the {playbook} playbook has no customer notice")
        return self._post.send_attempt({**payload, "text": text}, key, attempt=attempt)


def deliver_requested(
    *, engine: Engine, request: NoticeRequest, sender: AttemptSender, now: datetime
) -> str | None:
    """Deliver the notices a request queued, at once (the lead's process, after the ack); the
    outcome for the leads when none of the surge's notices is left to deliver."""
    if not request.keys or request.surge_id is None:
        return None
    deliver_due(engine=engine, senders={KIND: sender}, now=now, only=Only(keys=request.keys))
    return report_once(engine=engine, surge_id=request.surge_id, now=now)


def surges_to_report(*, engine: Engine) -> dict[str, int]:
    """Running surges (by team id) with notices whose outcome the leads were not yet told."""
    with session_scope(engine) as session:
        surges = session.exec(
            select(Surge.team_id, Surge.id).where(
                col(Surge.ended_at).is_(None), col(Surge.notices_reported_at).is_(None)
            )
        ).all()
        return {
            team_id: surge_id
            for team_id, surge_id in surges
            if surge_id is not None and _rows(session, surge_id)
        }


def report_once(*, engine: Engine, surge_id: int, now: datetime) -> str | None:
    """The outcome of a surge's notices, once none is left pending or delivering (and only
    once: the surge's conditional UPDATE); None before, and after."""
    with session_scope(engine) as session:
        rows = _rows(session, surge_id)
        counts = Counter(row.status for row in rows)
        if not counts or counts.get(PENDING) or counts.get(DELIVERING):
            return None
        taken = session.execute(
            update(Surge)
            .where(col(Surge.id) == surge_id, col(Surge.notices_reported_at).is_(None))
            .values(notices_reported_at=now)
        )
        if not taken.rowcount:  # type: ignore[attr-defined]
            return None
        failed = [
            (row.idempotency_key.removeprefix(_key_prefix(surge_id)), row.last_error or "")
            for row in rows
            if row.status == DEAD
        ]
    line = (
        f"Surge #{surge_id} customer notice: posted in {counts.get(DELIVERED, 0)} of "
        f"{len(rows)} channels."
    )
    if failed:
        reasons = [f"<#{channel}> ({_ERROR_TYPE.sub('', error)})" for channel, error in failed]
        line += " Not posted: " + ", ".join(reasons[:20]) + "."
    return line
