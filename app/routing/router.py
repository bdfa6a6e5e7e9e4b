"""Who gets an escalation: the skill's agent channel and the on-shift agents to mention.

Rules, in order:

1. An unknown skill goes to ``general`` when that skill is configured, else to overflow.
2. Candidates are the configured agents on shift who have the skill and speak the customer's
   language; when none speak it, every on-shift agent with the skill (still the skill channel).
3. Enterprise accounts, and accounts whose ARR is at least :data:`HIGH_VALUE_ARR`, go to the
   senior candidates first (only they are mentioned) when there are any.
4. When nobody with the skill is on shift, the card goes to the overflow channel.

Mentions follow the order of the agents in the config file. Every decision carries short
reasons, stored with the escalation and shown on its card.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from app.config_file import AgentConfig, EscalationConfig
from app.intents import SKILL_GENERAL

#: Annual recurring revenue from which an account is treated like an enterprise one.
HIGH_VALUE_ARR = 100_000.0


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    """Where the handoff card goes and whom it mentions (user ids), with the reasons why."""

    skill: str
    channel: str
    mentions: tuple[str, ...]
    overflow: bool
    reasons: tuple[str, ...]


def route(
    *,
    skill: str,
    language: str,
    tier: str,
    arr: float | None,
    config: EscalationConfig,
    on_shift: Collection[str],
) -> RoutingDecision:
    """Route one escalation; ``on_shift`` holds the user ids of the agents on shift now."""
    reasons: list[str] = []
    if skill not in config.skills:
        if SKILL_GENERAL not in config.skills:
            reasons.append(f"unknown skill {skill!r} and no general skill configured")
            return RoutingDecision(skill, config.overflow_channel, (), True, tuple(reasons))
        reasons.append(f"unknown skill {skill!r}: routed to general")
        skill = SKILL_GENERAL
    label = skill.replace("_", " ")
    shift = frozenset(on_shift)
    with_skill = [a for a in config.agents if a.user in shift and skill in a.skills]
    if not with_skill:
        reasons.append(f"no {label} agent on shift")
        return RoutingDecision(skill, config.overflow_channel, (), True, tuple(reasons))

    language = _primary_language(language)
    candidates = [a for a in with_skill if language in a.languages]
    if candidates:
        reasons.append(f"{_count(len(candidates), label)} on shift speaking {language}")
    else:
        candidates = with_skill
        reasons.append(
            f"language {language} not covered: {_count(len(candidates), label)} on shift"
        )

    why_senior = _high_value(tier, arr)
    if why_senior is not None:
        seniors = [a for a in candidates if a.senior]
        if seniors:
            candidates = seniors
            reasons.append(f"{why_senior}: senior agents first")
        else:
            reasons.append(f"{why_senior}, but no senior candidate on shift")

    channel = config.skills[skill].channel
    return RoutingDecision(skill, channel, _users(candidates), False, tuple(reasons))


def _high_value(tier: str, arr: float | None) -> str | None:
    """Why the account gets senior agents first, or None."""
    if tier == "enterprise":
        return "enterprise account"
    if arr is not None and arr >= HIGH_VALUE_ARR:
        return f"ARR {arr:,.0f} >= {HIGH_VALUE_ARR:,.0f}"
    return None


def _primary_language(language: str) -> str:
    """``pt-BR`` -> ``pt``: agents list two-letter codes."""
    return language.strip().lower().replace("_", "-").split("-")[0]


def _count(n: int, label: str) -> str:
    return f"{n} {label} agent{'' if n == 1 else 's'}"


def _users(agents: Sequence[AgentConfig]) -> tuple[str, ...]:
    """User ids in config order, each once."""
    return tuple(dict.fromkeys(agent.user for agent in agents))
