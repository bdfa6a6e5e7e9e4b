"""Unmistakable phrasings per intent and language (regex fragments), read from
``data/intent_rules.yml``.

A match overrides the statistical classifier. Keep these narrow: a phrase belongs here
only if it means the intent whatever else the message says.
"""

from __future__ import annotations

from app.triage.lexicon_file import DATA_DIR, load_lexicon_file
from app.triage.patterns import Lexicon

INTENT_RULES_PATH = DATA_DIR / "intent_rules.yml"

_FILE = load_lexicon_file(
    INTENT_RULES_PATH,
    lexicons=(
        "legal",
        "security",
        "billing_dispute",
        "cancellation",
        "data_loss",
        "human_request",
        "outage",
        "billing_topic",
        "refund_policy_question",
        "negation_before",
    ),
)

LEGAL: Lexicon = _FILE.lexicons["legal"]
SECURITY: Lexicon = _FILE.lexicons["security"]
BILLING_DISPUTE: Lexicon = _FILE.lexicons["billing_dispute"]
CANCELLATION: Lexicon = _FILE.lexicons["cancellation"]
DATA_LOSS: Lexicon = _FILE.lexicons["data_loss"]
HUMAN_REQUEST: Lexicon = _FILE.lexicons["human_request"]
OUTAGE: Lexicon = _FILE.lexicons["outage"]
#: Billing vocabulary: a how-to question about these is a billing question.
BILLING_TOPIC: Lexicon = _FILE.lexicons["billing_topic"]
#: A question about the refund policy, not a claim: a billing question. A billing-dispute
#: phrase inside one of these ("in which cases can I request a refund") is not a dispute.
REFUND_POLICY_QUESTION: Lexicon = _FILE.lexicons["refund_policy_question"]
#: A negation ending right where a cancellation or human-request phrase starts
#: ("we don't want to | cancel", "no need to | talk to a human") cancels the match.
NEGATION_BEFORE: Lexicon = _FILE.lexicons["negation_before"]
