"""Rules for unmistakable intents; a match overrides the statistical classifier."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from app.intents import (
    BILLING_DISPUTE,
    BILLING_QUESTION,
    BUG_REPORT,
    CANCELLATION,
    DATA_LOSS,
    HOW_TO,
    HUMAN_REQUEST,
    INTEGRATION,
    LEGAL,
    OUTAGE,
    SECURITY,
)
from app.triage import intent_rule_lexicons as lex
from app.triage.patterns import Lexicon, compile_lexicon

#: Confidence reported for an intent decided by a rule.
RULE_CONFIDENCE = 0.95
#: Characters before a match searched for a negation ("we don't want to cancel").
NEGATION_WINDOW = 40

#: Checked in this order; the first intent with a (non-negated) match wins.
RULE_ORDER: tuple[tuple[str, Lexicon], ...] = (
    (LEGAL, lex.LEGAL),
    (SECURITY, lex.SECURITY),
    (BILLING_DISPUTE, lex.BILLING_DISPUTE),
    (CANCELLATION, lex.CANCELLATION),
    (DATA_LOSS, lex.DATA_LOSS),
    (HUMAN_REQUEST, lex.HUMAN_REQUEST),
    (OUTAGE, lex.OUTAGE),
)
#: Intents whose phrases can be negated by what precedes them.
NEGATABLE = frozenset({CANCELLATION, DATA_LOSS, HUMAN_REQUEST})
#: A stack trace means a bug report unless the model chose one of these (or an intent that
#: always escalates).
TRACE_COMPATIBLE = frozenset({BUG_REPORT, INTEGRATION, OUTAGE})

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (intent, compile_lexicon(lexicon)) for intent, lexicon in RULE_ORDER
)
_PATTERNS: Mapping[str, re.Pattern[str]] = dict(_RULES)
_BILLING_TOPIC = compile_lexicon(lex.BILLING_TOPIC)
_REFUND_POLICY_QUESTION = compile_lexicon(lex.REFUND_POLICY_QUESTION)
_NEGATION = re.compile(rf"(?:{compile_lexicon(lex.NEGATION_BEFORE).pattern})\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RuleMatch:
    intent: str
    evidence: str


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """The winning rule, if any, and the intents whose phrases appeared only negated."""

    match: RuleMatch | None
    negated: frozenset[str]


def _negated(prose: str, match: re.Match[str]) -> bool:
    before = prose[max(0, match.start() - NEGATION_WINDOW) : match.start()]
    return _NEGATION.search(before) is not None


def _policy_question_spans(intent: str, prose: str) -> tuple[tuple[int, int], ...]:
    """Where ``prose`` asks about the refund policy (only billing disputes have such)."""
    if intent != BILLING_DISPUTE:
        return ()
    return tuple(m.span() for m in _REFUND_POLICY_QUESTION.finditer(prose))


def _first_match(
    intent: str, pattern: re.Pattern[str], prose: str
) -> tuple[re.Match[str] | None, bool]:
    """First non-negated match, and whether a negated one was skipped. A refund phrase
    inside a question about the refund policy is no dispute."""
    skipped = False
    questions = _policy_question_spans(intent, prose)
    for match in pattern.finditer(prose):
        if intent in NEGATABLE and _negated(prose, match):
            skipped = True
            continue
        if any(start <= match.start() < end for start, end in questions):
            continue
        return match, skipped
    return None, skipped


def apply_rules(prose: str) -> RuleOutcome:
    """Run the rules in priority order on ``prose``."""
    negated: set[str] = set()
    for intent, pattern in _RULES:
        match, skipped = _first_match(intent, pattern, prose)
        if match is not None:
            return RuleOutcome(RuleMatch(intent, match.group(0)), frozenset(negated))
        if skipped:
            negated.add(intent)
    return RuleOutcome(None, frozenset(negated))


def match_intent(prose: str) -> RuleMatch | None:
    """The highest-priority rule that fires on ``prose``, if any."""
    return apply_rules(prose).match


def must_escalate_match(prose: str, intents: Collection[str]) -> RuleMatch | None:
    """The first match, in priority order, of the rules of ``intents`` only.

    Unlike :func:`apply_rules`, a rule of an intent outside ``intents`` never hides a later
    one: this is the offline safety net for the intents that always go to a person.
    """
    for intent, pattern in _RULES:
        if intent in intents:
            match, _ = _first_match(intent, pattern, prose)
            if match is not None:
                return RuleMatch(intent, match.group(0))
    return None


def refine_by_topic(intent: str, prose: str) -> RuleMatch | None:
    """A more specific intent for a generic model prediction, from the message's topic."""
    if intent == HOW_TO:
        match = _BILLING_TOPIC.search(prose)
        if match is not None:
            return RuleMatch(BILLING_QUESTION, match.group(0))
    return None


def asks_for_human(prose: str) -> str | None:
    """The phrase asking for a person, if the customer asks for one."""
    match, _ = _first_match(HUMAN_REQUEST, _PATTERNS[HUMAN_REQUEST], prose)
    return None if match is None else match.group(0)
