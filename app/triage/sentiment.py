"""Sentiment in [-1, 1]: the VADER lexicon, tuned for support conversations, plus cues.

VADER scores descriptive support vocabulary ("error", "failed", "cancel") as strongly
negative and polite request words ("please", "help", "support") as positive, which makes
calm bug reports look angry. Those words are damped here; the frustration cues VADER
cannot see (repeat contact, sarcasm, threats to leave) then pull the score down.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Protocol, cast

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from app.triage.cues import CueHit
from app.triage.signals import Cue

#: Words VADER knows whose valence is mostly descriptive in support requests: scaled down.
DESCRIPTIVE_WORD_SCALE = 0.25
DESCRIPTIVE_WORDS: tuple[str, ...] = (
    "error", "errors", "fail", "failed", "fails", "failing", "failure", "broken", "broke",
    "crash", "problem", "problems", "wrong", "missing", "miss", "lost", "lose", "stuck",
    "block", "blocked", "blocking", "kill", "killed", "dead", "cancel", "cancelled",
    "cancelling", "reject", "rejected", "denied", "deny", "attack", "limited", "suspended",
    "empty", "warning", "critical", "leaked", "leak", "risk", "vulnerable", "vulnerability",
    "threat", "hacked", "spam", "loss", "charged", "dispute", "stop", "stopped", "hard",
    "difficult", "weird", "strange", "forgotten", "doubt", "complaint", "complain",
    "please", "help", "helps", "support", "like", "free", "share", "save", "trust", "credit",
    "pretty", "true", "interest", "ability", "yes", "ok", "sure", "alert", "security",
    "secure", "safe", "protect", "resolve", "resolved", "care", "chance", "honestly",
    "solve", "solved", "fix", "fine", "want", "po", "die", "dies", "died", "active", "kind",
    "pay", "paid", "demand", "demands", "alone", "important", "hurt", "crisis",
)  # fmt: skip
#: Words missing from VADER (or mis-scored for this domain) with their valence.
DOMAIN_VALENCE: Mapping[str, float] = {
    "garbage": -2.5,
    "junk": -2.3,
    "joke": -1.5,
    "fucking": -2.5,
    "unusable": -2.5,
    "incompetent": -2.5,
    "kidding": -0.5,
}
#: Valence of emoji (VADER reads emoji as descriptions, which mostly carry no valence).
EMOJI_VALENCE: Mapping[str, float] = {
    "😡": -2.5, "😠": -2.3, "🤬": -3.0, "🙄": -1.5, "😒": -1.5, "😤": -1.8, "😞": -1.8,
    "😢": -1.5, "😭": -2.0, "🤦": -1.5, "👎": -2.0, "💩": -2.0, "😩": -2.0, "😫": -2.0,
    "😖": -1.5, "😕": -1.0, "🙃": -0.5, "😓": -1.2, "😔": -1.5, "😑": -1.0,
    "👍": 1.5, "🙏": 1.0, "🎉": 2.0, "🙌": 2.0, "👏": 1.5, "❤": 2.5, "😄": 2.0, "😃": 2.0,
    "😀": 2.0, "🙂": 1.0, "😊": 2.0, "✅": 1.0, "💯": 1.5, "🚀": 1.2, "🥳": 2.0, "😍": 2.5,
    "🤩": 2.5, "💪": 1.2, "🥰": 2.5, "😁": 2.0,
}  # fmt: skip
#: Weight of the emoji score relative to the word score when a message has both.
EMOJI_WEIGHT = 0.5
#: Languages the VADER word lexicon is valid for; other text is scored on emoji and cues.
LEXICON_LANGUAGES = frozenset({"en"})
#: How much one unit of frustration-cue weight lowers the score.
CUE_PENALTY_PER_WEIGHT = 0.35
MAX_CUE_PENALTY = 0.9
#: Cues made of words the VADER lexicon already scores: no extra penalty for English text.
LEXICON_VISIBLE_CUES = frozenset({Cue.PROFANITY, Cue.MILD_PROFANITY, Cue.INSULT, Cue.EXASPERATION})
#: Sarcasm turns a positive lexicon score into a negative one scaled by this factor.
SARCASM_FLIP = 0.5
MAX_SENTIMENT_CHARS = 1000


class _PolarityScorer(Protocol):
    lexicon: dict[str, float]

    def polarity_scores(self, text: str) -> dict[str, float]: ...


@lru_cache(maxsize=1)
def _analyzer() -> _PolarityScorer:
    analyzer = cast(_PolarityScorer, SentimentIntensityAnalyzer())
    lexicon = dict(analyzer.lexicon)
    for word in DESCRIPTIVE_WORDS:
        if word in lexicon:
            lexicon[word] *= DESCRIPTIVE_WORD_SCALE
    lexicon.update(DOMAIN_VALENCE)
    analyzer.lexicon = lexicon
    return analyzer


def emoji_score(prose: str) -> float | None:
    """Mean-like valence of the emoji in ``prose`` squashed to [-1, 1]; None without emoji."""
    values = [EMOJI_VALENCE[char] for char in prose if char in EMOJI_VALENCE]
    if not values:
        return None
    total = sum(values)
    return total / math.sqrt(total * total + 15.0)


def lexicon_score(prose: str, *, language: str = "en") -> float:
    """Word score (VADER, domain-adjusted, English only) blended with the emoji score."""
    text = "".join(char for char in prose[:MAX_SENTIMENT_CHARS] if char not in EMOJI_VALENCE)
    words = 0.0
    if language in LEXICON_LANGUAGES and any(char.isalpha() for char in text):
        words = float(_analyzer().polarity_scores(text)["compound"])
    emoji = emoji_score(prose[:MAX_SENTIMENT_CHARS])
    if emoji is None:
        return words
    if words == 0.0:
        return emoji
    return max(-1.0, min(1.0, words + EMOJI_WEIGHT * emoji))


def score(prose: str, hits: Iterable[CueHit], *, language: str = "en") -> float:
    """Sentiment in [-1, 1] combining the lexicon score with frustration cues."""
    hits = tuple(hits)
    value = lexicon_score(prose, language=language)
    if value > 0 and any(hit.cue is Cue.SARCASM for hit in hits):
        value = -value * SARCASM_FLIP
    counted = [
        hit.weight
        for hit in hits
        if not (language in LEXICON_LANGUAGES and hit.cue in LEXICON_VISIBLE_CUES)
    ]
    penalty = min(MAX_CUE_PENALTY, CUE_PENALTY_PER_WEIGHT * sum(counted))
    return round(max(-1.0, min(1.0, value - penalty)), 4)


def warm_up() -> None:
    """Build the analyser now rather than on the first message."""
    _analyzer()
