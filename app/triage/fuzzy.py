"""Typo correction towards a short list of words that decide intents and cues.

Customers type fast: "reimbvurse", "terminatoin", "acount". A token within one edit (two
for long words) of a key word is replaced by it before rules, cues and the classifier run.
Only words of at least :data:`MIN_FUZZY_LENGTH` letters are corrected; shorter words are
too easily turned into one another.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from functools import lru_cache

from rapidfuzz.distance import OSA

MIN_FUZZY_LENGTH = 6

#: Words whose misspellings are worth correcting (lower case).
#: Left out on purpose: words one edit away from another common word ("contact" and
#: "contract", "manager" and "managed", "breach" and "breath").
KEY_WORDS: tuple[str, ...] = (
    "account", "password", "invoice", "subscription", "cancel", "cancellation",
    "termination", "deletion", "registration", "register", "signup", "customer", "service",
    "support", "assistance", "assistant", "complaint", "reclamation", "grievance", "refund",
    "reimburse", "reimbursement", "compensation", "restitution", "chargeback", "payment",
    "methods", "operator", "representative", "someone", "somebody", "supervisor",
    "retrieve", "recover", "unsubscribe", "unauthorized", "vulnerability", "delete",
    "terminate", "person",
)  # fmt: skip
#: A key word plus one of these is a real word, not a typo ("deleted", "invoices").
INFLECTIONS = frozenset({"s", "es", "d", "ed", "r", "er", "ers", "ing", "y", "ly", "able"})

_TOKEN = re.compile(r"[^\W\d_]+")


def allowed_edits(word: str) -> int:
    if len(word) < MIN_FUZZY_LENGTH:
        return 0
    return 1 if len(word) < 10 else 2


def _index(words: tuple[str, ...]) -> Mapping[str, tuple[str, ...]]:
    """Key words by first and by last letter (a typo rarely hits both ends)."""
    buckets: defaultdict[str, list[str]] = defaultdict(list)
    for word in words:
        if allowed_edits(word):
            buckets["^" + word[0]].append(word)
            buckets[word[-1] + "$"].append(word)
    return {key: tuple(dict.fromkeys(value)) for key, value in buckets.items()}


_KEY_SET = frozenset(KEY_WORDS)
_BUCKETS = _index(KEY_WORDS)


@lru_cache(maxsize=8192)
def correct_word(token: str) -> str:
    """``token`` or the key word it is a misspelling of."""
    lower = token.lower()
    if len(lower) < MIN_FUZZY_LENGTH or lower in _KEY_SET:
        return token
    candidates = _BUCKETS.get("^" + lower[0], ()) + _BUCKETS.get(lower[-1] + "$", ())
    if any(lower.startswith(word) and lower[len(word) :] in INFLECTIONS for word in candidates):
        return token
    for word in candidates:
        limit = allowed_edits(word)
        if OSA.distance(lower, word, score_cutoff=limit) <= limit:
            return word
    return token


def correct_typos(text: str) -> str:
    """``text`` with misspelt key words replaced by their correct spelling."""
    return _TOKEN.sub(lambda match: correct_word(match.group(0)), text)
