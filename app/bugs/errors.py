"""Errors in a conversation: code blocks, Python/JVM/JS tracebacks, ``*Exception``/``Error:``
lines, HTTP 5xx answers and request ids, and a fingerprint that matches the same error reported
from two accounts (numbers, ids, hex, quoted values and file paths with line numbers stripped)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

HEADLINE_LIMIT = 200
TRACE_LIMIT = 6000

_CODE_BLOCK = re.compile(r"```(?:[\w+-]*\n)?(.*?)```", re.DOTALL)
_TRACEBACK = re.compile(r"Traceback \(most recent call last\):")
_ERROR_LINE = re.compile(
    r"^\s*(?:[\w.$]+\.)?(?P<type>[A-Z]\w*(?:Exception|Error|Fault|Panic))\b"
    r"(?P<rest>(?::|\s*-|\s+at\b).*)?$",
    re.MULTILINE,
)
_GENERIC_ERROR = re.compile(r"^\s*(?:error|fatal|panic)\s*:\s*(?P<rest>\S.*)$", re.I | re.M)
_HTTP_5XX = re.compile(
    r"\b(?:(?:HTTP|status(?:\s+code)?|error|code|got|returned?|answered)[\s:/=]*(?:1\.[01]\s+)?"
    r"(?P<code>5\d\d)\b|(?P<code2>5\d\d)\s+(?P<reason>Internal Server Error|Bad Gateway|"
    r"Service Unavailable|Gateway Time-?out))",
    re.I,
)
_REQUEST_ID = re.compile(
    r"\b(?:x-)?(?:request|req|trace|correlation)[\s_-]?id\b\s*[:=#]?\s*(?P<id>[\w-]{6,})", re.I
)
_FRAME = re.compile(
    r'File "(?P<path>[^"]+)", line \d+(?:, in (?P<func>[\w<>.]+))?'  # Python
    r"|\bat (?P<jvm>[\w$.<>]+)\((?P<jfile>[\w.]+)(?::\d+)?\)"  # JVM
    r"|\bat (?P<js>[\w$.<>]+) \((?P<jspath>[^()\s]+?)(?::\d+){0,2}\)"  # Node
)

# normalisation for fingerprints, applied in this order
_NORMALISERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I), "<id>"),
    (re.compile(r"https?://\S+"), "<url>"),
    (re.compile(r"(?:[A-Za-z]:)?(?:[\\/][\w.@~+-]+)+[\\/](?P<f>[\w.-]+)(?::\d+)+"), r"\g<f>"),
    (re.compile(r"(?:[A-Za-z]:)?(?:[\\/][\w.@~+-]+)+[\\/](?P<f>[\w.-]+)"), r"\g<f>"),
    (re.compile(r"(?P<f>\b[\w-]+\.\w{1,5})(?::\d+)+"), r"\g<f>"),
    (re.compile(r"\b0x[0-9a-f]+\b", re.I), "<hex>"),
    (re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b", re.I), "<hex>"),
    (re.compile(r"\b[A-Za-z]+[_-](?=[\w-]*\d)[\w-]{5,}\b"), "<id>"),  # req_8fK2..., cus_123
    (re.compile(r"'[^'\n]*'|\"[^\"\n]*\""), "<s>"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "<email>"),
    (re.compile(r"\d+(?:\.\d+)?"), "<n>"),
    (re.compile(r"\s+"), " "),
)


@dataclass(frozen=True)
class ErrorReport:
    """What the conversation shows of an error."""

    headline: str  # e.g. "ValueError: invalid literal for int()" or "HTTP 502 on /api/export"
    fingerprint: str  # stable across accounts: 16 hex characters
    stack_trace: str | None = None  # the code block or traceback, as the customer sent it
    request_ids: tuple[str, ...] = ()
    http_status: int | None = None


def normalise(text: str) -> str:
    """``text`` with the parts that differ between occurrences of one error replaced."""
    for pattern, replacement in _NORMALISERS:
        text = pattern.sub(replacement, text)
    return text.strip().lower()


def fingerprint_of(signature: str) -> str:
    return hashlib.sha256(normalise(signature).encode()).hexdigest()[:16]


def detect_errors(texts: Iterable[str]) -> ErrorReport | None:
    """The error in ``texts`` (a conversation's customer messages, oldest first), or None."""
    text = "\n".join(t for t in texts if t)
    if not text.strip():
        return None
    trace = _stack_trace(text)
    error_line = _last_error_line(trace or text)
    status = _http_status(text)
    request_ids = tuple(dict.fromkeys(m["id"] for m in _REQUEST_ID.finditer(text)))
    if error_line is None and status is None and trace is None:
        return None
    frames = _frames(trace) if trace else ()
    if error_line is not None:
        headline = error_line
    elif status is not None:
        headline = f"HTTP {status}" + _context_of_status(text)
    else:
        assert trace is not None
        headline = next((ln.strip() for ln in trace.splitlines() if ln.strip()), "Error")
    signature = " | ".join([_signature_of(headline), *frames])
    return ErrorReport(
        headline=headline[:HEADLINE_LIMIT],
        fingerprint=fingerprint_of(signature),
        stack_trace=trace[:TRACE_LIMIT] if trace else None,
        request_ids=request_ids,
        http_status=status,
    )


def _stack_trace(text: str) -> str | None:
    blocks = [str(b).strip("\n") for b in _CODE_BLOCK.findall(text) if str(b).strip()]
    for block in blocks:
        if _TRACEBACK.search(block) or _ERROR_LINE.search(block) or _FRAME.search(block):
            return block
    match = _TRACEBACK.search(text)
    if match:
        lines = text[match.start() :].splitlines()
        kept = [lines[0]]
        for line in lines[1:]:
            kept.append(line)
            if not line.startswith((" ", "\t")) and line.strip():
                break  # the exception line ends a Python traceback
        return "\n".join(kept)
    if blocks:
        return blocks[0]
    return _jvm_trace(text)


def _jvm_trace(text: str) -> str | None:
    """An exception line followed by ``at ...`` frames, outside a code block."""
    lines = text.splitlines()
    for start, line in enumerate(lines):
        if not _ERROR_LINE.match(line):
            continue
        end = start
        while end + 1 < len(lines) and _FRAME.search(lines[end + 1]):
            end += 1
        if end > start:
            return "\n".join(lines[start : end + 1])
    return None


def _last_error_line(text: str) -> str | None:
    matches = list(_ERROR_LINE.finditer(text))
    if matches:
        return str(matches[-1][0]).strip()
    generic = list(_GENERIC_ERROR.finditer(text))
    return str(generic[-1][0]).strip() if generic else None


def _http_status(text: str) -> int | None:
    match = _HTTP_5XX.search(text)
    if match is None:
        return None
    return int(match["code"] or match["code2"])


def _context_of_status(text: str) -> str:
    path = re.search(r"\b(?:GET|POST|PUT|PATCH|DELETE)\s+(/\S*)", text)
    return f" on {path[1].split('?')[0]}" if path else ""


def _signature_of(headline: str) -> str:
    """The error's type and message without the values that vary (ids, numbers, quotes)."""
    return normalise(headline)


def _frames(trace: str) -> tuple[str, ...]:
    """Where the error happened: file names and functions, without directories or line numbers."""
    frames = []
    for match in _FRAME.finditer(trace):
        if match["path"]:
            name = re.split(r"[\\/]", match["path"])[-1]
            frames.append(f"{name}:{match['func'] or ''}")
        elif match["jvm"]:
            frames.append(f"{match['jfile']}:{match['jvm']}")
        else:
            frames.append(f"{re.split(r'[/]', match['jspath'])[-1]}:{match['js']}")
    return tuple(normalise(f) for f in frames[-8:])
