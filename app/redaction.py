"""PII redaction for text that leaves the bot: e-mail addresses, phone numbers, card numbers
(Luhn-checked), API keys and tokens become typed placeholders (``[email]``, ``[phone]``,
``[card]``, ``[secret]``). Allowed domains and strings are kept as they are."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

EMAIL = "[email]"
PHONE = "[phone]"
CARD = "[card]"
SECRET = "[secret]"  # noqa: S105  (a placeholder)

_SECRET_RES = (
    re.compile(r"\bxox[a-z]-[A-Za-z0-9-]{8,}"),
    re.compile(r"\bxapp-[A-Za-z0-9-]{8,}"),
    re.compile(r"\bsk-[A-Za-z0-9_-]{8,}"),
    re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}"),
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"),
    re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    re.compile(r"\blin_(?:api|oauth)_[A-Za-z0-9]{16,}"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"),  # JWT
    re.compile(r"(?i)(?<=bearer )[A-Za-z0-9._~+/=-]{8,}"),
)
_TOKEN_RE = re.compile(r"(?<![A-Za-z0-9_+=-])[A-Za-z0-9_+=-]{24,}(?![A-Za-z0-9_+=-])")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
_CARD_RE = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,}(?![\d-])")
_PHONE_RES = (
    re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?!\d)"),
    re.compile(r"(?<![\w-])(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-])"),
)
MIN_ENTROPY_BITS = 4.0


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def shannon_entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _high_entropy(token: str) -> bool:
    has_digit = any(c.isdigit() for c in token)
    has_letter = any(c.isalpha() for c in token)
    return has_digit and has_letter and shannon_entropy(token) >= MIN_ENTROPY_BITS


@dataclass(frozen=True)
class Redactor:
    """Redacts ``text``; ``allowed_domains`` keep their addresses (and subdomains'),
    ``allowed_strings`` are never replaced."""

    allowed_domains: frozenset[str] = frozenset()
    allowed_strings: frozenset[str] = frozenset()

    @classmethod
    def with_allow_list(
        cls, *, domains: Iterable[str] = (), strings: Iterable[str] = ()
    ) -> Redactor:
        return cls(
            allowed_domains=frozenset(d.lower().lstrip("@") for d in domains),
            allowed_strings=frozenset(strings),
        )

    def __call__(self, text: str) -> str:
        kept = sorted((s for s in self.allowed_strings if s), key=len, reverse=True)
        if not kept:
            return self._redact(text)
        parts = re.split("(" + "|".join(re.escape(s) for s in kept) + ")", text)
        # odd positions are the allowed strings themselves
        return "".join(part if i % 2 else self._redact(part) for i, part in enumerate(parts))

    def _redact(self, text: str) -> str:
        for pattern in _SECRET_RES:
            text = _substitute(pattern, text, lambda _m: SECRET)
        text = _substitute(_EMAIL_RE, text, self._email)
        text = _substitute(_CARD_RE, text, _card)
        for pattern in _PHONE_RES:
            text = _substitute(pattern, text, _phone)
        return _substitute(_TOKEN_RE, text, lambda m: SECRET if _high_entropy(m[0]) else None)

    def _email(self, match: re.Match[str]) -> str | None:
        domain = match[1].lower()
        if any(domain == d or domain.endswith("." + d) for d in self.allowed_domains):
            return None
        return EMAIL


def _substitute(
    pattern: re.Pattern[str], text: str, replace: Callable[[re.Match[str]], str | None]
) -> str:
    """Replace each match by ``replace(match)``, or keep it when that is None."""
    return pattern.sub(lambda match: replace(match) or match[0], text)


def _is_card(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    return 13 <= len(digits) <= 19 and luhn_valid(digits)


def _card(match: re.Match[str]) -> str | None:
    """Cards in a run of digit groups: the whole run, or (when the digits run on past a card, a
    phone number just before it, say) each card inside it at group boundaries, longest first."""
    if _is_card(match[0]):
        return CARD
    parts = re.split(r"(?<=\d)(?=[ -])", match[0])  # groups, each but the first led by a separator
    out: list[str] = []
    start, found = 0, False
    while start < len(parts):
        for end in range(min(len(parts), start + 19), start, -1):
            candidate = "".join(parts[start:end])
            if _is_card(candidate):
                body = candidate.lstrip(" -")
                out.append(candidate[: len(candidate) - len(body)] + CARD)
                start, found = end, True
                break
        else:
            out.append(parts[start])
            start += 1
    return "".join(out) if found else None


def _phone(match: re.Match[str]) -> str | None:
    digits = re.sub(r"\D", "", match[0])
    return PHONE if 7 <= len(digits) <= 15 else None


_DEFAULT = Redactor()


def redact(text: str, redactor: Redactor | None = None) -> str:
    """Redact ``text`` with ``redactor`` (default: nothing allowed)."""
    return (redactor or _DEFAULT)(text)
