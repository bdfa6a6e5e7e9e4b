"""Reminders about an unclaimed escalation: its overflow post (a copy of the card in the
overflow channel with the leads mentioned, or a notice there when the card already lives in that
channel), then the leads channel's alert.

Each reminder is an outbox row (kind ``KIND``, key ``reminder:<escalation>:<step>:<round>``, the
round being when the step was taken, so a reassigned escalation's next round is a new reminder)
stored in the transaction that takes its step. The message is written when it is sent, from the
escalation as it is then: a reminder whose escalation was claimed or reassigned since is settled
without a post (its external id is ``DROPPED``). From the second attempt on, the channel is read
first: a message carrying the key there was posted by an attempt whose process died before
recording it, so no reminder is sent twice. The overflow card's ts is kept (to update the copy)
in the transaction that marks the row delivered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from app.config_file import EscalationConfig
from app.db.engine import session_scope
from app.db.models import Account, Conversation, Escalation, as_utc
from app.delivery.outbox import STORER_GRACE, Only, deliver_due, enqueue
from app.delivery.outcomes import AttemptSender, Delivered, PermanentError
from app.escalations.card import HandoffCard
from app.escalations.handoff import (
    AgentDesk,
    ChannelUnavailableError,
    build_card,
    with_account_facts,
)

logger = logging.getLogger(__name__)

KIND = "slack.reminder"
OVERFLOW, LEADS = "overflow", "leads"
DROPPED = "dropped"  # the external id of a reminder that was no longer needed when it was due
REMINDER_GRACE = STORER_GRACE  # left this long to the sweep that stored it

ConfigFor = Callable[[str | None], EscalationConfig]
"""The config of an installation (by team id)."""
DeskFor = Callable[[str | None], AgentDesk]
"""Where an installation's agents work (by team id)."""


def reminder_key(escalation_id: int, step: str, taken_at: datetime) -> str:
    """The stable key of one reminder, carried in its message's metadata."""
    return f"reminder:{escalation_id}:{step}:{_round(taken_at)}"


def _round(taken_at: datetime) -> int:
    return int(as_utc(taken_at).timestamp() * 1000)


def _taken_at(escalation: Escalation, step: str) -> datetime | None:
    return escalation.overflowed_at if step == OVERFLOW else escalation.leads_alerted_at


def queue_reminder(*, session: Session, escalation: Escalation, step: str, now: datetime) -> str:
    """Store the reminder of the step just taken at ``now`` (in the caller's transaction); its
    key."""
    assert escalation.id is not None
    key = reminder_key(escalation.id, step, now)
    payload: dict[str, Any] = {
        "team_id": escalation.team_id,
        "escalation_id": escalation.id,
        "step": step,
        "taken_at": as_utc(now).isoformat(),
    }
    enqueue(
        session=session,
        kind=KIND,
        idempotency_key=key,
        payload=payload,
        now=now,
        due_at=now + REMINDER_GRACE,
    )
    return key


def _due_now(escalation: Escalation | None, payload: dict[str, Any]) -> bool:
    """Still pending, and still in the round the reminder was stored for."""
    if escalation is None or escalation.status != "pending":
        return False
    taken_at = _taken_at(escalation, str(payload["step"]))
    stored = datetime.fromisoformat(str(payload["taken_at"]))
    return taken_at is not None and _round(taken_at) == _round(stored)


def reminder_channel(config: EscalationConfig, payload: dict[str, Any]) -> str:
    """Where the reminder goes: the overflow channel, or the leads channel."""
    return config.overflow_channel if payload["step"] == OVERFLOW else config.leads_channel


class ReminderPoster:
    """The outbox sender of ``KIND``: writes the reminder and posts it at the desk of its
    installation; a later attempt looks for it in the channel first."""

    def __init__(self, *, engine: Engine, configs: ConfigFor, desks: DeskFor) -> None:
        self._engine = engine
        self._configs = configs
        self._desks = desks

    def send_attempt(self, payload: dict[str, Any], key: str, *, attempt: int) -> Delivered:
        team_id = payload.get("team_id")
        config, desk = self._configs(team_id), self._desks(team_id)
        escalation_id, step = int(payload["escalation_id"]), str(payload["step"])
        taken_at = datetime.fromisoformat(str(payload["taken_at"]))
        with session_scope(self._engine) as session:
            escalation = session.get(Escalation, escalation_id)
            if not _due_now(escalation, payload):
                logger.info("reminder %s: claimed or reassigned since, not posted", key)
                return Delivered(external_id=DROPPED)
            assert escalation is not None
            draft = _draft(session, config, escalation, step=step, taken_at=taken_at)
        channel = reminder_channel(config, payload)
        if attempt > 1:
            found = desk.find_sent(channel=channel, key=key, since=as_utc(taken_at))
            if found is not None:
                logger.info("reminder %s was posted by an earlier attempt: not again", key)
                return Delivered(external_id=found)
        try:
            return Delivered(external_id=_post(desk, config, draft, channel=channel, key=key))
        except ChannelUnavailableError as exc:
            raise PermanentError(f"cannot post in {exc.channel}: {exc.error}") from None


@dataclass(frozen=True)
class _Draft:
    """What a reminder says, read from the escalation in one transaction: a card, or a text
    (with a link to the customer's thread when ``thread_link``)."""

    escalation_id: int
    thread: tuple[str, str]  # the customer's channel and thread ts
    text: str
    card: HandoffCard | None = None
    thread_link: bool = False


def _draft(
    session: Session,
    config: EscalationConfig,
    escalation: Escalation,
    *,
    step: str,
    taken_at: datetime,
) -> _Draft:
    assert escalation.id is not None
    conversation = session.get_one(Conversation, escalation.conversation_id)
    thread = (conversation.channel_id, conversation.thread_ts)
    waited = _minutes_since(escalation.created_at, taken_at)
    if step == LEADS:
        account = session.get_one(Account, escalation.account_id)
        text = (
            f"Escalation #{escalation.id} from {account.name} ({account.tier}, "
            f"{escalation.skill}) is still unclaimed after {waited} min, also in "
            f"<#{config.overflow_channel}>."
        )
        return _Draft(escalation_id=escalation.id, thread=thread, text=text, thread_link=True)
    window = config.claim_window_minutes(escalation.tier)
    note = f"Unclaimed for {waited} min ({escalation.tier} window {window} min)."
    if escalation.card_channel == config.overflow_channel:  # the card is there: a notice
        leads = " ".join(f"<@{lead}>" for lead in config.leads)
        text = f"{leads} Escalation #{escalation.id}: {note}"
        return _Draft(escalation_id=escalation.id, thread=thread, text=text)
    card = replace(
        build_card(session, escalation, config, thread_url=None),
        routing_note=note,
        mentions=tuple(config.leads),
    )
    return _Draft(escalation_id=escalation.id, thread=thread, text=note, card=card)


def _post(
    desk: AgentDesk, config: EscalationConfig, draft: _Draft, *, channel: str, key: str
) -> str:
    thread_channel, thread_ts = draft.thread
    if draft.card is not None:
        card = replace(draft.card, thread_url=desk.permalink(channel=thread_channel, ts=thread_ts))
        card = with_account_facts(card, config, thread_channel)
        ts = desk.post_card(channel=channel, card=card, key=key)
        logger.info("escalation %s overflowed", draft.escalation_id)
        return ts
    text = draft.text
    if draft.thread_link:
        link = desk.permalink(channel=thread_channel, ts=thread_ts)
        text += f" <{link}|Open the thread>" if link else ""
    return desk.post_notice(channel=channel, text=text, key=key)


class ReminderRecorder:
    """Keeps the overflow card's ts on its escalation (to update that copy as it changes), in
    the transaction that marks the reminder delivered."""

    def __init__(self, configs: ConfigFor) -> None:
        self._configs = configs

    def __call__(self, session: Session, payload: dict[str, Any], delivered: Delivered) -> None:
        if payload["step"] != OVERFLOW or delivered.external_id == DROPPED:
            return
        escalation = session.get(Escalation, int(payload["escalation_id"]))
        config = self._configs(payload.get("team_id"))
        if escalation is None or not _due_now(escalation, payload):
            return
        if escalation.card_channel == config.overflow_channel:  # a notice, not a card's copy
            return
        session.execute(
            update(Escalation)
            .where(col(Escalation.id) == escalation.id)
            .values(overflow_card_ts=delivered.external_id)
        )


def deliver_reminders(
    *,
    engine: Engine,
    sender: AttemptSender,
    recorder: ReminderRecorder,
    keys: list[str],
    now: datetime,
) -> int:
    """Post the reminders just stored (the sweep that stored them, at once); how many were
    delivered. Those that failed are left to the outbox sweep, with its backoff."""
    if not keys:
        return 0
    report = deliver_due(
        engine=engine,
        senders={KIND: sender},
        recorders={KIND: recorder},
        now=now,
        only=Only(keys=tuple(keys)),
    )
    return len(report.delivered)


def _minutes_since(start: datetime, now: datetime) -> int:
    return max(0, int((as_utc(now) - as_utc(start)).total_seconds() // 60))
