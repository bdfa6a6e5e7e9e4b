"""The customer's wait line, kept current: the transition message is edited in place as the
queue moves (a claim, a resolution, the worker's tick), only when its words change, a bounded
number of edits per pass (``chat.update`` is rate limited per workspace).

A waiting escalation shows the running playbook's banner, the expected wait and its place in the
queue; once claimed, the wait line and the buttons go (the agent's "joined" message follows).
Escalations whose customer chose a follow-up keep that note and are not touched.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import ColumnElement, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.config_file import EscalationConfig
from app.db.engine import session_scope
from app.db.models import Conversation, Escalation, TriageDecision
from app.domain.replies import BotReply
from app.escalations.customer import handoff_reply
from app.routing.claim_order import claim_order, claim_priority

logger = logging.getLogger(__name__)

MAX_EDITS = 40  # per pass; Slack allows about 50 chat.update calls a minute
QUEUE_EDITS_PER_CLAIM = 5  # after a claim: the claimed one and the front of its queue
RECENT = timedelta(days=1)  # claimed escalations older than this keep their message as it is


class TransitionEditor(Protocol):
    def update_reply(self, *, channel: str, ts: str, reply: BotReply) -> None: ...


class EditRefusedError(Exception):
    """Slack refused an edit (rate limited, message gone): stop this pass, retry on the next."""


def refresh_wait_lines(
    *,
    engine: Engine,
    config: EscalationConfig,
    team_id: str,
    editor: TransitionEditor,
    now: datetime,
    skill: str | None = None,
    limit: int = MAX_EDITS,
) -> int:
    """Edit the installation's transition messages whose wait line changed; returns how many
    were edited."""
    edited = 0
    candidates = _candidates(engine, config, team_id=team_id, now=now, skill=skill, limit=limit * 4)
    for escalation_id in candidates:
        if edited >= limit:
            break
        with session_scope(engine) as session:
            target = _target(session, config, escalation_id, now)
        if target is None:
            continue
        channel, ts, reply, shown, line = target
        try:
            editor.update_reply(channel=channel, ts=ts, reply=reply)
        except EditRefusedError as exc:
            logger.info("wait lines: edit of escalation %s refused (%s)", escalation_id, exc)
            break
        with session_scope(engine) as session:
            session.execute(
                update(Escalation)
                .where(col(Escalation.id) == escalation_id)
                .where(_unchanged(shown))
                .values(wait_shown=line)
            )
        edited += 1
    return edited


def after_queue_moved(
    *,
    engine: Engine,
    config: EscalationConfig,
    editor: TransitionEditor,
    escalation_id: int,
    now: datetime,
) -> int:
    """After a claim: the claimed one's wait line goes and the front of its queue moves up."""
    with session_scope(engine) as session:
        escalation = session.get(Escalation, escalation_id)
        skill = escalation.skill if escalation is not None else None
        team_id = escalation.team_id if escalation is not None else None
    if skill is None or team_id is None:
        return 0
    return refresh_wait_lines(
        engine=engine,
        config=config,
        team_id=team_id,
        editor=editor,
        now=now,
        skill=skill,
        limit=QUEUE_EDITS_PER_CLAIM,
    )


def _unchanged(shown: str | None) -> ColumnElement[bool]:
    column = col(Escalation.wait_shown)
    return column.is_(None) if shown is None else column == shown


def _candidates(
    engine: Engine,
    config: EscalationConfig,
    *,
    team_id: str,
    now: datetime,
    skill: str | None,
    limit: int,
) -> list[int]:
    """Waiting escalations in claim order (the front of the queue moves first), then recently
    claimed or resolved ones whose message still shows a wait."""
    with session_scope(engine) as session:
        base = select(Escalation.id).where(
            col(Escalation.team_id) == team_id,
            col(Escalation.decision_id).is_not(None),
            col(Escalation.follow_up_later).is_(False),
        )
        if skill is not None:
            base = base.where(col(Escalation.skill) == skill)
        priority = claim_priority(session=session, config=config, team_id=team_id)
        waiting = session.exec(
            base.where(col(Escalation.status) == "pending")
            .order_by(*claim_order(priority))
            .limit(limit)
        ).all()
        taken = session.exec(
            base.where(
                col(Escalation.status) != "pending",
                col(Escalation.created_at) >= now - RECENT,
                (col(Escalation.wait_shown).is_(None)) | (col(Escalation.wait_shown) != ""),
            )
            .order_by(col(Escalation.id))
            .limit(limit)
        ).all()
    return [i for i in (*taken, *waiting) if i is not None]


def _target(
    session: Session, config: EscalationConfig, escalation_id: int, now: datetime
) -> tuple[str, str, BotReply, str | None, str] | None:
    escalation = session.get(Escalation, escalation_id)
    if escalation is None or escalation.decision_id is None:
        return None
    decision = session.get(TriageDecision, escalation.decision_id)
    conversation = session.get(Conversation, escalation.conversation_id)
    if decision is None or decision.reply_ts is None or conversation is None:
        return None  # the transition message is not posted yet
    shown = escalation.wait_shown
    reply = handoff_reply(
        session, config, escalation, customer_user_id=conversation.customer_user_id, now=now
    )
    session.expunge(escalation)  # not written here: updated conditionally after the edit
    if escalation.status != "pending":
        reply = replace(reply, wait_text=None, follow_up_label=None, follow_up_prominent=False)
    line = reply.wait_text or ""
    if line == shown:
        return None
    return conversation.channel_id, decision.reply_ts, reply, shown, line
