"""The handoff card as plain data: what agents see about one escalation.

The Slack layer renders it (``app/slack/blocks/handoff_card.py``); the domain fills it from the
stored escalation, decision, conversation and account.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from app.bugs.links import IssueLink

RESOLUTION_TAGS: dict[str, str] = {
    "ai_knowledge_gap": "AI knowledge gap",
    "edge_case": "Edge case",
    "policy_exception": "Policy exception",
    "other": "Other",
}


class CardState(enum.Enum):
    OPEN = "open"  # waiting for a claim
    CLAIMED = "claimed"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class TriggerLine:
    type: str  # intent | sentiment | confidence | account | repeat
    value: str  # already formatted, e.g. "-0.62" or "billing_dispute"
    threshold: str
    reason: str


@dataclass(frozen=True)
class HandoffCard:
    escalation_id: int
    account_name: str
    tier: str
    summary: str
    intent: str
    skill: str
    sentiment: float
    confidence: float
    language: str
    triggers: tuple[TriggerLine, ...]
    arr: float | None = None
    owner: str | None = None  # the account owner, when the CRM names one
    crm_id: str | None = None
    crm_url: str | None = None  # the CRM id as a link, when a URL template is configured
    page_url: str | None = None  # a page the customer mentioned
    thread_url: str | None = None  # permalink of the customer's thread
    mentions: tuple[str, ...] = ()  # agent user ids to notify
    routing_note: str | None = None  # e.g. why it went to overflow
    state: CardState = CardState.OPEN
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    resolution_tag: str | None = None  # a key of RESOLUTION_TAGS
    resolution_note: str | None = None
    follow_up_later: bool = False  # the customer chose an async follow-up
    follow_up_email: str | None = None  # ...by email, to this address
    reassign_skills: tuple[str, ...] = field(default=())  # skills it can be reassigned to
    bug_reports: bool = False  # a bug tracker is configured: the card offers a bug report
    possible_bug: str | None = None  # the error the conversation shows, if any
    bug_reported: bool = False  # a bug report was filed for this escalation
    bug_links: tuple[IssueLink, ...] = ()  # its issues, once the trackers have them
    # the customer's later top-level messages that joined this conversation, oldest first
    follow_ups: tuple[str, ...] = ()
    # which net caught an always-escalate intent: "offline safety net (security rule)", ...
    caught_by: str | None = None


def sentiment_word(score: float) -> str:
    """A plain word for a sentiment score in [-1, 1]."""
    if score <= -0.6:
        return "very negative"
    if score <= -0.2:
        return "negative"
    if score < 0.2:
        return "neutral"
    if score < 0.6:
        return "positive"
    return "very positive"
