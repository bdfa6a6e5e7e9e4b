"""Account signals for the CRM, read from one triaged customer message.

Churn: the customer means to cancel or leave (the ``cancellation`` intent, or the threat-to-leave
cue), strongly negative sentiment on an enterprise account, or a repeat escalation (the policy's
``repeat`` trigger fired and the message went to a person). Expansion: questions about more
seats, a higher plan, or features of higher tiers. Each signal carries its evidence (the rules
that matched) and a redacted excerpt of the message. Pure functions: no database, no HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from app.intents import CANCELLATION
from app.redaction import redact
from app.triage.signals import Cue, Signals

EXCERPT_LIMIT = 280


class SignalKind(StrEnum):
    CHURN = "churn"
    EXPANSION = "expansion"


@dataclass(frozen=True)
class Evidence:
    rule: str  # a stable id, e.g. churn.cancellation_intent
    detail: str  # what was seen, in words (no customer text)


@dataclass(frozen=True)
class AccountSignal:
    kind: SignalKind
    evidence: tuple[Evidence, ...]
    excerpt: str  # the customer's words, redacted and shortened

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(e.rule for e in self.evidence)


_NO = r"(?<!\bno )(?<!\bnot )(?<!n't )"
_MORE = r"(?:more|additional|extra|another|\d+(?: more)?|a few more|some more)"
_SEAT = r"(?:seats?|licen[cs]es?|users?|members?|editors?)"
_PLAN = r"(?:plan|tier|edition|package|subscription)"
_HIGHER_PLAN = r"(?:enterprise|business|premium|pro|professional|team|scale|growth|higher|bigger)"
_FEATURES = (
    r"(?:sso|saml|scim|audit logs?|data residency|dedicated (?:support|csm|account manager)"
    r"|premium support|uptime sla|custom roles|sandbox environments?|advanced analytics)"
)
_ASKING = (
    r"(?:how (?:do|can|would) (?:i|we)|can (?:i|we)|could (?:i|we)|is it possible|do you (?:offer"
    r"|have|support)|is there|are there|which plan|what plan|available on|included in|need|want"
    r"|would like|interested in|looking (?:at|for|to)|pricing for|quote for|cost of)"
)

#: Expansion rules: (rule id, what it means, English patterns).
EXPANSION_RULES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    (
        "expansion.seats",
        "asks about adding seats or users",
        re.compile(
            rf"{_NO}\b(?:add(?:ing)?|buy(?:ing)?|purchas(?:e|ing)|get(?:ting)?|need|want|increase"
            rf"|expand(?:ing)?)\b[^.?!\n]{{0,30}}?\b{_MORE} {_SEAT}\b"
            rf"|\b(?:increase|raise|bump|expand)\b[^.?!\n]{{0,20}}\b(?:seat|user|licen[cs]e)"
            r" (?:count|limit|cap)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "expansion.plan_upgrade",
        "asks about upgrading the plan",
        re.compile(
            rf"{_NO}\bupgrad(?:e|ing)\b[^.?!\n]{{0,40}}\b(?:{_PLAN}|{_HIGHER_PLAN})\b"
            rf"|\b(?:move|moving|switch|switching|go|going) (?:up )?to (?:the |a |an )?"
            rf"{_HIGHER_PLAN} {_PLAN}\b"
            rf"|\b(?:pricing|quote|price) (?:for|of|on) (?:the |a |an )?{_HIGHER_PLAN} {_PLAN}\b",
            re.IGNORECASE,
        ),
    ),
    (
        "expansion.higher_tier_feature",
        "asks about a feature of a higher tier",
        re.compile(rf"\b{_ASKING}\b[^.?!\n]{{0,60}}\b{_FEATURES}\b", re.IGNORECASE),
    ),
)


def excerpt(text: str) -> str:
    """The customer's words as they may leave the system: redacted, one line, shortened."""
    flat = " ".join(redact(text).split())
    if len(flat) <= EXCERPT_LIMIT:
        return flat
    return flat[: EXCERPT_LIMIT - 1].rstrip() + "…"


def churn_evidence(
    *, signals: Signals, tier: str, escalate: bool, fired: Collection[str]
) -> tuple[Evidence, ...]:
    found: list[Evidence] = []
    if signals.intent == CANCELLATION:
        found.append(Evidence("churn.cancellation_intent", "the customer asks to cancel"))
    elif Cue.THREAT_TO_LEAVE in signals.cues:
        found.append(
            Evidence("churn.cancellation_intent", "the customer talks of leaving for another tool")
        )
    if tier == "enterprise" and signals.strongly_negative:
        found.append(
            Evidence(
                "churn.negative_enterprise",
                f"strongly negative sentiment ({signals.sentiment:+.2f}) on an enterprise account",
            )
        )
    if escalate and "repeat" in fired:
        found.append(Evidence("churn.repeat_escalation", "escalated again after the bot's answer"))
    return tuple(found)


def expansion_evidence(text: str) -> tuple[Evidence, ...]:
    return tuple(
        Evidence(rule, meaning)
        for rule, meaning, pattern in EXPANSION_RULES
        if pattern.search(text)
    )


def detect_signals(
    *,
    signals: Signals,
    text: str,
    tier: str,
    escalate: bool,
    fired: Collection[str],
) -> list[AccountSignal]:
    """The churn and expansion signals of one message (at most one of each kind)."""
    found = []
    churn = churn_evidence(signals=signals, tier=tier, escalate=escalate, fired=fired)
    if churn:
        found.append(AccountSignal(SignalKind.CHURN, churn, excerpt(text)))
    expansion = () if signals.intent == CANCELLATION else expansion_evidence(text)
    if expansion:
        found.append(AccountSignal(SignalKind.EXPANSION, expansion, excerpt(text)))
    return found
