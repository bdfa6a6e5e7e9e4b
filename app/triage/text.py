"""Turn a raw Slack message into the pieces the signal extractors read.

Only the first :data:`MAX_ANALYSED_CHARS` characters are analysed; code blocks and stack
traces are split off from the prose so that they neither skew sentiment nor confuse
language detection, but their presence is kept as a fact.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Characters of the raw message that are looked at; the rest is ignored.
MAX_ANALYSED_CHARS = 4000
#: Characters of prose handed to the per-signal models (sentiment, language, intent).
MAX_PROSE_CHARS = 1500

_FENCED_CODE = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]{1,200}`")
_SLACK_MENTION = re.compile(r"<[@!](?:[A-Z0-9]+|here|channel|everyone)(?:\|[^>]*)?>")
_SLACK_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_SLACK_LINK_LABEL = re.compile(r"<(?:https?|mailto):[^|>]+\|([^>]*)>")
_SLACK_LINK = re.compile(r"<(?:https?|mailto):[^>]+>")
_BARE_URL = re.compile(r"https?://\S+")
_SHORTCODE = re.compile(r":([a-z0-9_+\-]{1,40}):")
_WHITESPACE = re.compile(r"[ \t]+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})

_TRACE_LINE = re.compile(
    r"^\s*(?:"
    r"Traceback \(most recent call last\)"
    r"|File \"[^\"]+\", line \d+"
    r"|at [\w$.<>\[\]/]+\s*\(.*:\d+(?::\d+)?\)"
    r"|at [\w$.<>]+\.[\w$<>]+\([\w$.]+\.(?:java|kt|scala):\d+\)"
    r"|Exception in thread"
    r"|Caused by: [\w.$]+"
    r"|[\w.]*(?:Error|Exception)(?::\s.*)?$"
    r"|panic: "
    r"|goroutine \d+ \["
    r")",
    re.MULTILINE,
)

#: Slack emoji shortcodes that carry sentiment, mapped to the Unicode emoji the sentiment
#: lexicon knows. Other shortcodes are dropped.
SHORTCODE_EMOJI: dict[str, str] = {
    "rage": "😡",
    "angry": "😠",
    "face_with_rolling_eyes": "🙄",
    "roll_eyes": "🙄",
    "unamused": "😒",
    "triumph": "😤",
    "disappointed": "😞",
    "confused": "😕",
    "cry": "😢",
    "sob": "😭",
    "facepalm": "🤦",
    "face_palm": "🤦",
    "clown_face": "🤡",
    "pray": "🙏",
    "tada": "🎉",
    "+1": "👍",
    "thumbsup": "👍",
    "-1": "👎",
    "thumbsdown": "👎",
    "slightly_smiling_face": "🙂",
    "smile": "😄",
    "smiley": "😃",
    "heart": "❤️",
    "raised_hands": "🙌",
    "clap": "👏",
    "white_check_mark": "✅",
    "wave": "👋",
}


@dataclass(frozen=True, slots=True)
class PreparedText:
    """A message split into prose and code, with Slack markup resolved."""

    raw_length: int
    truncated: bool
    prose: str
    has_code_block: bool
    has_error_trace: bool

    @property
    def letters(self) -> int:
        """Number of letter characters (any script) in the prose."""
        return sum(1 for char in self.prose if char.isalpha())


def _resolve_slack_markup(text: str) -> str:
    text = _SLACK_MENTION.sub(" ", text)
    text = _SLACK_CHANNEL.sub(r"\1", text)
    text = _SLACK_LINK_LABEL.sub(r"\1", text)
    text = _SLACK_LINK.sub(" ", text)
    text = _BARE_URL.sub(" ", text)
    return _SHORTCODE.sub(lambda match: f" {SHORTCODE_EMOJI.get(match.group(1), '')} ", text)


def _strip_trace_lines(text: str) -> tuple[str, bool]:
    kept: list[str] = []
    found = False
    for line in text.split("\n"):
        if _TRACE_LINE.match(line):
            found = True
        else:
            kept.append(line)
    return "\n".join(kept), found


def prepare(text: str) -> PreparedText:
    """Split ``text`` into prose and code facts; never raises on odd input."""
    raw_length = len(text)
    head = unicodedata.normalize("NFC", text[:MAX_ANALYSED_CHARS])
    head = head.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    head = head.translate(_QUOTES)
    fenced = _FENCED_CODE.findall(head)
    has_trace = any(_TRACE_LINE.search(block) for block in fenced)
    prose = _FENCED_CODE.sub("\n", head)
    prose = _INLINE_CODE.sub(" ", prose)
    prose, loose_trace = _strip_trace_lines(prose)
    prose = _resolve_slack_markup(prose)
    prose = "\n".join(_WHITESPACE.sub(" ", line).strip() for line in prose.split("\n"))
    prose = re.sub(r"\n{2,}", "\n", prose).strip()[:MAX_PROSE_CHARS]
    return PreparedText(
        raw_length=raw_length,
        truncated=raw_length > MAX_ANALYSED_CHARS,
        prose=prose,
        has_code_block=bool(fenced),
        has_error_trace=has_trace or loose_trace,
    )
