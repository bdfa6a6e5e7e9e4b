"""Segments of the KPIs: an account tier, an area (a skill or an intent), or both.

An area is an intent when it is a key of ``skill_of_intent`` (``billing_dispute``), otherwise a
skill (``billing``). How each table is filtered:

* conversations: the tier is the account's current tier (``accounts.tier``); an intent area
  matches ``conversations.intent``, a skill area matches the conversations whose intent maps to
  that skill through ``skill_of_intent`` (a skill no intent maps to has no conversations);
* escalations: the tier is the one the escalation was routed under (``escalations.tier``); a
  skill area matches ``escalations.skill`` (where it was routed, reassignments included), an
  intent area matches the escalated conversation's ``conversations.intent``;
* post-escalation CSAT ratings follow their escalation;
* every table is narrowed to one installation's rows (``team_id``) when the segment names one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement


@dataclass(frozen=True)
class Segment:
    """``Segment()`` is everything; ``Segment(tier="enterprise", area="billing")`` narrows."""

    tier: str | None = None
    area: str | None = None
    team_id: str | None = None  # the installation (workspace); None: every workspace

    @property
    def is_overall(self) -> bool:
        return self.tier is None and self.area is None

    @property
    def label(self) -> str:
        parts = [f"tier={self.tier}"] if self.tier is not None else []
        parts += [f"area={self.area}"] if self.area is not None else []
        return ", ".join(parts) or "overall"

    def area_is_intent(self, skill_of_intent: Mapping[str, str]) -> bool:
        return self.area is not None and self.area in skill_of_intent

    def area_intents(self, skill_of_intent: Mapping[str, str]) -> tuple[str, ...]:
        """The intents of the area: itself for an intent, those mapping to it for a skill."""
        if self.area is None:
            return ()
        if self.area_is_intent(skill_of_intent):
            return (self.area,)
        return tuple(sorted(i for i, skill in skill_of_intent.items() if skill == self.area))


def _team_clauses(segment: Segment, team: ColumnElement[Any]) -> list[ColumnElement[bool]]:
    return [team == segment.team_id] if segment.team_id is not None else []


def conversation_clauses(
    segment: Segment,
    skill_of_intent: Mapping[str, str],
    *,
    tier: ColumnElement[Any],
    intent: ColumnElement[Any],
    team: ColumnElement[Any],
) -> list[ColumnElement[bool]]:
    """WHERE clauses on a conversation's team, account tier and intent columns."""
    clauses: list[ColumnElement[bool]] = _team_clauses(segment, team)
    if segment.tier is not None:
        clauses.append(tier == segment.tier)
    if segment.area is not None:
        clauses.append(intent.in_(segment.area_intents(skill_of_intent)))
    return clauses


def escalation_clauses(
    segment: Segment,
    skill_of_intent: Mapping[str, str],
    *,
    tier: ColumnElement[Any],
    skill: ColumnElement[Any],
    intent: ColumnElement[Any] | None,
    team: ColumnElement[Any],
) -> list[ColumnElement[bool]]:
    """WHERE clauses on an escalation's team, tier and skill, and its conversation's intent
    (needed, joined, only when the area is an intent)."""
    clauses: list[ColumnElement[bool]] = _team_clauses(segment, team)
    if segment.tier is not None:
        clauses.append(tier == segment.tier)
    if segment.area is not None:
        if segment.area_is_intent(skill_of_intent):
            if intent is None:
                raise ValueError("an intent area needs the conversation's intent column")
            clauses.append(intent == segment.area)
        else:
            clauses.append(skill == segment.area)
    return clauses
