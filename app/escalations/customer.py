"""What the customer is told about their escalation, in their language: the warm transition with
a wait estimate and "Follow up later", who joined, and the closing line."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.config_file import EscalationConfig
from app.db.escalations import on_shift_agents, recent_claim_seconds
from app.db.models import Escalation
from app.domain.replies import BotReply, ReplyKind
from app.messages import format_window, render, transition_text
from app.routing.claim_order import claim_priority, queue_ahead
from app.routing.wait_estimate import estimate_wait, wait_text
from app.surge.service import active_surge


def wait_line(
    session: Session, config: EscalationConfig, escalation: Escalation, *, now: datetime
) -> str:
    """The live line under the transition message: the running playbook's banner, the expected
    wait, and (while a playbook orders the queue) the customer's place in it."""
    language = escalation.language
    overrides = config.messages
    agents = [
        user
        for user in on_shift_agents(session=session, config=config)
        if (agent := config.agent(user)) is not None and escalation.skill in agent.skills
    ]
    priority = claim_priority(session=session, config=config, team_id=escalation.team_id)
    ahead = queue_ahead(session=session, escalation=escalation, priority=priority)
    estimate = estimate_wait(
        recent_claim_seconds=recent_claim_seconds(
            session=session, skill=escalation.skill, tier=escalation.tier, now=now
        ),
        queue_ahead=ahead,
        agents_on_shift=len(agents),
    )
    parts = [
        render(
            "wait",
            language=language,
            overrides=overrides,
            wait=wait_text(estimate, language=language, overrides=overrides),
        )
    ]
    surge = active_surge(session=session, team_id=escalation.team_id)
    playbook = config.surge.playbooks.get(surge.playbook) if surge else None
    if playbook is not None and playbook.banner:
        parts.insert(0, playbook.banner)
    if priority and ahead > 0:
        parts.append(
            render("queue.position", language=language, overrides=overrides, n=str(ahead + 1))
        )
    return " ".join(parts)


def handoff_reply(
    session: Session,
    config: EscalationConfig,
    escalation: Escalation,
    *,
    customer_user_id: str,
    now: datetime,
) -> BotReply:
    """The transition message; the wait line it shows is remembered on the escalation, so that
    it is edited later only when it changes."""
    language = escalation.language
    assert escalation.id is not None
    wait = wait_line(session, config, escalation, now=now)
    reply = BotReply(
        kind=ReplyKind.HANDOFF,
        conversation_id=escalation.conversation_id,
        customer_user_id=customer_user_id,
        language=language,
        skill=escalation.skill,
        text=transition_text(
            escalation.skill,
            language=language,
            customer=f"<@{customer_user_id}>",
            overrides=config.messages,
        ),
        wait_text=wait,
        follow_up_label=render("follow_up.button", language=language, overrides=config.messages),
        follow_up_prominent=active_surge(session=session, team_id=escalation.team_id) is not None,
    )
    escalation.wait_shown = wait
    session.add(escalation)
    return reply


def follow_up_note(config: EscalationConfig, *, language: str) -> str:
    window = format_window(config.sla.async_minutes, language=language)
    return render("follow_up.chosen", language=language, overrides=config.messages, window=window)


def joined_text(config: EscalationConfig, *, language: str, agent_user_id: str) -> str:
    return render(
        "joined", language=language, overrides=config.messages, agent=f"<@{agent_user_id}>"
    )


def closing_text(config: EscalationConfig, *, language: str) -> str:
    return render("closing", language=language, overrides=config.messages)
