"""Multilingual phrase lists behind the frustration and safety cues (regex fragments), read
from ``data/cues.yml``.

Keyed by cue, then by ISO 639-1 language. Fragments are matched case-insensitively and,
for languages written with spaces, as whole words.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.triage.lexicon_file import DATA_DIR, load_lexicon_file
from app.triage.patterns import Lexicon
from app.triage.signals import Cue

CUES_PATH = DATA_DIR / "cues.yml"

#: The cues found by a phrase list, in the order they are checked.
LEXICON_CUES: tuple[Cue, ...] = (
    Cue.REPEAT_CONTACT,
    Cue.STILL_BROKEN,
    Cue.PROFANITY,
    Cue.MILD_PROFANITY,
    Cue.INSULT,
    Cue.EXASPERATION,
    Cue.SARCASM,
    Cue.THREAT_TO_LEAVE,
    Cue.FORMAL_COMPLAINT,
    Cue.URGENCY,
    Cue.PROMPT_INJECTION,
)

_FILE = load_lexicon_file(
    CUES_PATH,
    lexicons=tuple(cue.value for cue in LEXICON_CUES),
    literals=("sarcasm_emoji", "injection_markers"),
)

LEXICONS: Mapping[Cue, Lexicon] = {cue: _FILE.lexicons[cue.value] for cue in LEXICON_CUES}
REPEAT_CONTACT = LEXICONS[Cue.REPEAT_CONTACT]
STILL_BROKEN = LEXICONS[Cue.STILL_BROKEN]
PROFANITY = LEXICONS[Cue.PROFANITY]
#: Swearing that expresses annoyance rather than anger; weighs less than PROFANITY.
MILD_PROFANITY = LEXICONS[Cue.MILD_PROFANITY]
INSULT = LEXICONS[Cue.INSULT]
EXASPERATION = LEXICONS[Cue.EXASPERATION]
SARCASM = LEXICONS[Cue.SARCASM]
THREAT_TO_LEAVE = LEXICONS[Cue.THREAT_TO_LEAVE]
FORMAL_COMPLAINT = LEXICONS[Cue.FORMAL_COMPLAINT]
URGENCY = LEXICONS[Cue.URGENCY]
PROMPT_INJECTION = LEXICONS[Cue.PROMPT_INJECTION]

#: Emoji that read as sarcasm or contempt in a support thread.
SARCASM_EMOJI = frozenset(_FILE.literals["sarcasm_emoji"])
#: Literal markers of chat-template tokens pasted into a message.
INJECTION_MARKERS: tuple[str, ...] = _FILE.literals["injection_markers"]
