"""The offline safety net: the rules of the always-escalate intents, on every message.

Whatever backend triages a message, these rules read it too. The OpenAI engine uses the net
when the model picks an intent that may be answered: a security report, a chargeback or a
data loss the model missed still goes to a person, and the decision says the net caught it.

The net reads more of a long message than the offline backend does, whose rules see only the
first :data:`~app.triage.text.MAX_PROSE_CHARS` of prose: overlapping windows up to
:data:`MAX_NET_CHARS`, each prepared and typo-corrected as the offline backend does, then as
written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from app.triage.fuzzy import correct_typos
from app.triage.intent_rules import RuleMatch, must_escalate_match
from app.triage.text import MAX_PROSE_CHARS, prepare

#: The net reads at most this many characters of a message.
MAX_NET_CHARS = 16_000
#: Consecutive windows overlap by this many characters, so no phrase falls between two.
WINDOW_OVERLAP = 300


@dataclass(frozen=True)
class SafetyNet:
    """The must-escalate rules of ``intents`` (intents without rules are never caught)."""

    intents: frozenset[str]

    @classmethod
    def of(cls, intents: Iterable[str]) -> SafetyNet:
        return cls(frozenset(intents))

    def catch(self, text: str) -> RuleMatch | None:
        """The first must-escalate rule that matches ``text``, if any."""
        if not self.intents:
            return None
        for window in _windows(text or ""):
            prose = prepare(window).prose
            for variant in dict.fromkeys((correct_typos(prose), prose)):
                match = must_escalate_match(variant, self.intents)
                if match is not None:
                    return match
        return None


def _windows(text: str) -> Iterator[str]:
    """Overlapping windows over the first ``MAX_NET_CHARS``, each short enough that its prose
    is read whole (prose is never longer than the text it comes from)."""
    head = text[:MAX_NET_CHARS]
    step = MAX_PROSE_CHARS - WINDOW_OVERLAP
    start = 0
    while True:
        yield head[start : start + MAX_PROSE_CHARS]
        if start + MAX_PROSE_CHARS >= len(head):
            return
        start += step
