"""Posting and refreshing the handoff card in the agent channels.

The escalation is stored before the card is posted. A card that failed to post (Slack down,
rate limited beyond the retries) is posted later by the worker; a channel the bot cannot post in
sends the card to the overflow channel and tells the leads.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.bugs.errors import detect_errors
from app.bugs.links import bug_state
from app.bugs.service import customer_texts
from app.config_file import EscalationConfig
from app.crm.account_facts import account_facts
from app.db.conversations import joined_messages
from app.db.engine import session_scope, unchanged
from app.db.models import (
    Account,
    Conversation,
    Escalation,
    TriageDecision,
    as_utc,
    utcnow,
)
from app.escalations.card import CardState, HandoffCard, TriggerLine
from app.escalations.email_follow_up import confirmation_payload
from app.policy.matrix import caught_by

logger = logging.getLogger(__name__)
CARD_LEASE = timedelta(minutes=2)  # a card post (with its rate-limit waits) takes less


class ChannelUnavailableError(Exception):
    """The bot cannot post in the channel (removed, archived, never invited)."""

    def __init__(self, channel: str, error: str) -> None:
        super().__init__(f"{channel}: {error}")
        self.channel = channel
        self.error = error


class AgentDesk(Protocol):
    """Where agents work: the handoff cards and notices in internal channels."""

    def permalink(self, *, channel: str, ts: str) -> str | None: ...

    def post_card(self, *, channel: str, card: HandoffCard, key: str | None = None) -> str:
        """Post a card; its ts. ``key`` marks it, in its metadata, as that reminder."""
        ...

    def update_card(self, *, channel: str, ts: str, card: HandoffCard) -> None: ...

    def post_notice(self, *, channel: str, text: str, key: str | None = None) -> str: ...

    def retire_card(self, *, channel: str, ts: str, text: str) -> None: ...

    def find_sent(self, *, channel: str, key: str, since: datetime) -> str | None:
        """The ts of the message carrying ``key`` posted in ``channel`` after ``since``."""
        ...


def build_card(
    session: Session,
    escalation: Escalation,
    config: EscalationConfig,
    *,
    thread_url: str | None,
    routing_note: str | None = None,
) -> HandoffCard:
    conversation = session.get(Conversation, escalation.conversation_id)
    account = session.get(Account, escalation.account_id)
    decision = (
        session.get(TriageDecision, escalation.decision_id) if escalation.decision_id else None
    )
    assert conversation is not None and account is not None and escalation.id is not None
    triggers = tuple(
        TriggerLine(
            type=t["type"],
            value=_fmt(t["value"]),
            threshold=_fmt(t["threshold"]),
            reason=t["reason"],
        )
        for t in (json.loads(decision.triggers) if decision else [])
        if t.get("fired")
    )
    net = next(
        (caught_by(reason=t.reason, intent=t.value) for t in triggers if t.type == "intent"),
        None,
    )
    reasons = json.loads(escalation.routing_reasons or "[]")
    note = routing_note or ("; ".join(reasons) if escalation.overflow and reasons else None)
    crm_url = (
        config.crm_url_template.replace("{crm_id}", account.crm_id)
        if config.crm_url_template and account.crm_id
        else None
    )
    bugs = bool(config.bug_reports.trackers)
    bug = bug_state(session, escalation.id) if bugs else None
    error = (
        detect_errors(customer_texts(session, conversation.id or 0))
        if bugs and bug is not None and not bug.reported
        else None
    )
    state = {
        "pending": CardState.OPEN,
        "claimed": CardState.CLAIMED,
        "resolved": CardState.RESOLVED,
    }[escalation.status]
    return HandoffCard(
        escalation_id=escalation.id,
        account_name=account.name,
        tier=account.tier,
        summary=decision.summary if decision and decision.summary else "(no summary)",
        intent=decision.intent if decision else (conversation.intent or "human_request"),
        skill=escalation.skill,
        sentiment=decision.sentiment if decision else 0.0,
        confidence=decision.confidence if decision else 0.0,
        language=escalation.language,
        triggers=triggers,
        arr=account.arr,
        crm_id=account.crm_id,
        crm_url=crm_url,
        page_url=escalation.page_url,
        thread_url=thread_url,
        mentions=tuple(m for m in escalation.mentions.split(",") if m),
        routing_note=note,
        state=state,
        claimed_by=escalation.claimed_by,
        claimed_at=as_utc(escalation.claimed_at) if escalation.claimed_at else None,
        resolved_by=escalation.resolved_by,
        resolved_at=as_utc(escalation.resolved_at) if escalation.resolved_at else None,
        resolution_tag=escalation.resolution_tag,
        resolution_note=escalation.resolution_note,
        follow_up_later=escalation.follow_up_later,
        follow_up_email=_follow_up_email(session, escalation),
        reassign_skills=tuple(s for s in config.skills if s != escalation.skill),
        bug_reports=bugs,
        possible_bug=error.headline if error else None,
        bug_reported=bool(bug and bug.reported),
        bug_links=bug.links if bug else (),
        follow_ups=tuple(
            m.text for m in joined_messages(session=session, conversation_id=conversation.id or 0)
        ),
        caught_by=net,
    )


def _follow_up_email(session: Session, escalation: Escalation) -> str | None:
    if escalation.follow_up_by != "email" or escalation.id is None:
        return None
    chosen = confirmation_payload(session, escalation.id)
    return None if chosen is None else str(chosen["to"])


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:+.2f}" if value < 0 else f"{value:.2f}"
    return "" if value is None else str(value)


def post_card(
    *, engine: Engine, config: EscalationConfig, desk: AgentDesk, escalation_id: int
) -> str | None:
    """Post the escalation's card (once); returns its ts, or None if it could not be posted."""
    with session_scope(engine) as session:
        escalation = session.get(Escalation, escalation_id)
        if escalation is None or escalation.card_ts is not None:
            return escalation.card_ts if escalation else None
        conversation = session.get(Conversation, escalation.conversation_id)
        assert conversation is not None
        channel, thread = conversation.channel_id, conversation.thread_ts
        routed = escalation.routed_channel
    taken = _claim_card(engine, escalation_id)
    if taken is None:
        return None  # being posted elsewhere right now
    posted_at, earlier_claim = taken
    if earlier_claim is not None:
        # The poster holding the lease before us never finished: it may have posted the card
        # and died (or lost the database) before recording it.
        found = _find_card(desk, config, escalation_id, routed, since=earlier_claim)
        if found is not None:
            return _record_card(engine, escalation_id, *found)
    try:
        channel_posted, ts = _post_claimed_card(
            engine=engine,
            config=config,
            desk=desk,
            escalation_id=escalation_id,
            channel=channel,
            thread=thread,
            routed=routed,
        )
    except BaseException:
        # Not posted: free the card for the next attempt at once.
        with session_scope(engine) as session:
            session.execute(
                update(Escalation)
                .where(
                    col(Escalation.id) == escalation_id,
                    col(Escalation.card_claimed_at) == posted_at,
                )
                .values(card_claimed_at=None)
            )
        raise
    # Posted: should recording it fail, the lease stays taken and the next poster finds the card.
    return _record_card(engine, escalation_id, channel_posted, ts)


def card_key(escalation_id: int) -> str:
    """The key marking an escalation's card in its message metadata."""
    return f"card:{escalation_id}"


def _claim_card(engine: Engine, escalation_id: int) -> tuple[datetime, datetime | None] | None:
    """Take the lease on posting the card: (when, the expired lease it replaced), or None."""
    now = utcnow()
    with session_scope(engine) as session:
        earlier = session.exec(
            select(Escalation.card_claimed_at).where(col(Escalation.id) == escalation_id)
        ).first()
        result = session.execute(
            update(Escalation)
            .where(
                col(Escalation.id) == escalation_id,
                col(Escalation.card_ts).is_(None),
                or_(
                    col(Escalation.card_claimed_at).is_(None),
                    col(Escalation.card_claimed_at) < now - CARD_LEASE,
                ),
                unchanged(col(Escalation.card_claimed_at), earlier),  # nobody took it since
            )
            .values(card_claimed_at=now)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return None
        return now, as_utc(earlier) if earlier is not None else None


def _find_card(
    desk: AgentDesk, config: EscalationConfig, escalation_id: int, routed: str, *, since: datetime
) -> tuple[str, str] | None:
    """(channel, ts) of the escalation's card already posted since ``since``, if any."""
    key = card_key(escalation_id)
    for channel in dict.fromkeys((routed, config.overflow_channel)):
        ts = desk.find_sent(channel=channel, key=key, since=since)
        if ts is not None:
            logger.info(
                "escalation %s: its card was posted before, not posting again", escalation_id
            )
            return channel, ts
    return None


def _record_card(engine: Engine, escalation_id: int, channel: str, ts: str) -> str:
    with session_scope(engine) as session:
        session.execute(
            update(Escalation)
            .where(col(Escalation.id) == escalation_id, col(Escalation.card_ts).is_(None))
            .values(
                card_channel=channel,
                card_ts=ts,
                card_error=None,
                card_claimed_at=None,
                updated_at=utcnow(),
            )
        )
    return ts


def _post_claimed_card(
    *,
    engine: Engine,
    config: EscalationConfig,
    desk: AgentDesk,
    escalation_id: int,
    channel: str,
    thread: str,
    routed: str,
) -> tuple[str, str]:
    """Post the card: (the channel it went to, its ts)."""
    thread_url = desk.permalink(channel=channel, ts=thread)
    with session_scope(engine) as session:
        escalation = session.get(Escalation, escalation_id)
        assert escalation is not None
        card = build_card(session, escalation, config, thread_url=thread_url)
    card = with_account_facts(card, config, channel)
    key = card_key(escalation_id)
    try:
        return routed, desk.post_card(channel=routed, card=card, key=key)
    except ChannelUnavailableError as exc:
        posted_in = config.overflow_channel
        note = f"Could not post in the {card.skill} channel ({exc.error}): sent to overflow."
        ts = desk.post_card(channel=posted_in, card=_with_note(card, note), key=key)
        desk.post_notice(
            channel=config.leads_channel,
            text=(
                f"I could not post an escalation in <#{exc.channel}> ({exc.error}), so it went "
                f"to <#{posted_in}>. Please invite me to <#{exc.channel}>."
            ),
        )
        return posted_in, ts


def record_card_failure(*, engine: Engine, escalation_id: int, error: str) -> None:
    with session_scope(engine) as session:
        session.execute(
            update(Escalation)
            .where(col(Escalation.id) == escalation_id)
            .values(card_attempts=Escalation.card_attempts + 1, card_error=error[:200])
        )


def refresh_cards(
    *, engine: Engine, config: EscalationConfig, desk: AgentDesk, escalation_id: int
) -> None:
    """Update every posted copy of the card in place (its channel and the overflow copy)."""
    with session_scope(engine) as session:
        escalation = session.get(Escalation, escalation_id)
        if escalation is None:
            return
        card = build_card(session, escalation, config, thread_url=None)
        copies = [
            (escalation.card_channel, escalation.card_ts),
            (config.overflow_channel, escalation.overflow_card_ts),
        ]
        conversation = session.get(Conversation, escalation.conversation_id)
        assert conversation is not None
        channel, thread = conversation.channel_id, conversation.thread_ts
    thread_url = desk.permalink(channel=channel, ts=thread)
    card = with_account_facts(_with_thread(card, thread_url), config, channel)
    for copy_channel, ts in copies:
        if copy_channel and ts:
            desk.update_card(channel=copy_channel, ts=ts, card=card)


def _with_note(card: HandoffCard, note: str) -> HandoffCard:
    from dataclasses import replace

    return replace(card, routing_note=note)


def _with_thread(card: HandoffCard, thread_url: str | None) -> HandoffCard:
    from dataclasses import replace

    return replace(card, thread_url=thread_url)


def with_account_facts(card: HandoffCard, config: EscalationConfig, channel: str) -> HandoffCard:
    """Tier, ARR and owner from the CRM when one is configured (cached; after the ack)."""
    from dataclasses import replace

    account = config.account_for_channel(channel)
    facts = account_facts(account) if account is not None else None
    if facts is None or facts.source == "config":
        return card
    return replace(card, tier=facts.tier, arr=facts.arr, owner=facts.owner)
