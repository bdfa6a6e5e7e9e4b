"""Detect frustration and safety cues in a prepared message and weigh them.

Each cue carries a weight; the message counts as frustrated when the weights add up to
:data:`FRUSTRATION_THRESHOLD`. One mild cue (a single "!!", "still not") is not enough on
its own, a strong one (profanity, a repeat-contact complaint, a threat to leave) is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.triage.cue_lexicons import INJECTION_MARKERS, LEXICONS, SARCASM_EMOJI
from app.triage.fuzzy import correct_typos
from app.triage.patterns import compile_lexicon
from app.triage.signals import Cue
from app.triage.text import PreparedText

FRUSTRATION_THRESHOLD = 1.0

#: Weight of one occurrence of each lexicon cue towards frustration.
CUE_WEIGHTS: Mapping[Cue, float] = {
    Cue.REPEAT_CONTACT: 1.0,
    Cue.STILL_BROKEN: 0.6,
    Cue.PROFANITY: 1.0,
    Cue.MILD_PROFANITY: 0.5,
    Cue.INSULT: 1.0,
    Cue.EXASPERATION: 0.8,
    Cue.SARCASM: 0.6,
    Cue.THREAT_TO_LEAVE: 1.0,
    Cue.FORMAL_COMPLAINT: 1.0,
    Cue.URGENCY: 0.4,
    Cue.PROMPT_INJECTION: 0.0,
    Cue.EXPLICIT_HUMAN_REQUEST: 0.0,
    Cue.ERROR_TRACE: 0.0,
    Cue.CODE_BLOCK: 0.0,
}
#: Cues whose weight grows with the number of distinct matches, up to this many.
_STACKING: Mapping[Cue, int] = {Cue.SARCASM: 2, Cue.STILL_BROKEN: 2}

_WHOLE_MESSAGE_CAPS_WEIGHT = 1.0
_SHOUTED_WORD_WEIGHT = 0.4
_PUNCTUATION_WEIGHT = 0.4
_HEAVY_PUNCTUATION_WEIGHT = 0.6

_COMPILED: Mapping[Cue, re.Pattern[str]] = {
    cue: compile_lexicon(lexicon) for cue, lexicon in LEXICONS.items()
}
_UPPER_WORD = re.compile(r"\b[^\W\d_]{3,}\b")
#: Three-letter words that are shouting when written in capitals.
SHORT_SHOUTS = frozenset({"NOW", "WHY", "NOT", "FIX", "OMG", "WTF", "YOU", "HOW"})
_PUNCTUATION_RUN = re.compile("[!?\uff01\uff1f]{2,}")  # ASCII and full-width ! ?

#: Upper-case words that are names, not shouting.
ACRONYMS = frozenset(
    {
        "SAML", "SCIM", "OKTA", "JSON", "HTTP", "HTTPS", "HTML", "CSV", "XLSX", "OAUTH",
        "GDPR", "CCPA", "LGPD", "RGPD", "DSGVO", "SIEM", "CORS", "REST", "ASAP", "UUID",
        "TODO", "NULL", "TRUE", "FALSE", "HIPAA", "FERPA", "SOC", "EMEA", "APAC", "LATAM",
        "AVV", "UTC", "CEST", "AWS", "GCP", "AZURE", "JIRA", "IOS", "INVALID", "SESSION",
        "RESOLVED", "DONE", "WONTFIX", "INST",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CueHit:
    """One detected cue, its contribution to frustration and what triggered it."""

    cue: Cue
    weight: float
    evidence: str


def _lexicon_hits(prose: str) -> list[CueHit]:
    hits: list[CueHit] = []
    corrected = correct_typos(prose)
    for cue, pattern in _COMPILED.items():
        matches = {match.group(0).lower() for match in pattern.finditer(corrected)}
        if cue is Cue.SARCASM:
            matches |= {char for char in prose if char in SARCASM_EMOJI}
        if cue is Cue.PROMPT_INJECTION:
            matches |= {marker for marker in INJECTION_MARKERS if marker in prose}
        if not matches:
            continue
        count = min(len(matches), _STACKING.get(cue, 1))
        evidence = ", ".join(sorted(matches)[:3])
        hits.append(CueHit(cue, CUE_WEIGHTS[cue] * count, evidence))
    return hits


def _caps_hit(prose: str) -> CueHit | None:
    letters = [char for char in prose if char.isalpha() and char.lower() != char.upper()]
    if len(letters) >= 12:
        upper_share = sum(char.isupper() for char in letters) / len(letters)
        if upper_share >= 0.6:
            return CueHit(Cue.ALL_CAPS, _WHOLE_MESSAGE_CAPS_WEIGHT, f"{upper_share:.0%} upper case")
    shouted = [
        word
        for word in _UPPER_WORD.findall(prose)
        if word.isupper() and word not in ACRONYMS and (len(word) > 3 or word in SHORT_SHOUTS)
    ]
    if shouted:
        return CueHit(Cue.ALL_CAPS, _SHOUTED_WORD_WEIGHT, ", ".join(shouted[:3]))
    return None


def _punctuation_hit(prose: str) -> CueHit | None:
    runs = _PUNCTUATION_RUN.findall(prose)
    if not runs:
        return None
    heavy = len(runs) >= 3 or max(len(run) for run in runs) >= 4
    weight = _HEAVY_PUNCTUATION_WEIGHT if heavy else _PUNCTUATION_WEIGHT
    return CueHit(Cue.EXCESSIVE_PUNCTUATION, weight, " ".join(runs[:3]))


def detect_cues(prepared: PreparedText) -> tuple[CueHit, ...]:
    """All cues found in ``prepared``, in a fixed order."""
    prose = prepared.prose
    hits = _lexicon_hits(prose)
    for extra in (_caps_hit(prose), _punctuation_hit(prose)):
        if extra is not None:
            hits.append(extra)
    if prepared.has_error_trace:
        hits.append(CueHit(Cue.ERROR_TRACE, CUE_WEIGHTS[Cue.ERROR_TRACE], "stack trace"))
    if prepared.has_code_block:
        hits.append(CueHit(Cue.CODE_BLOCK, CUE_WEIGHTS[Cue.CODE_BLOCK], "code block"))
    return tuple(hits)


def frustration_score(hits: Iterable[CueHit]) -> float:
    return round(sum(hit.weight for hit in hits), 3)
