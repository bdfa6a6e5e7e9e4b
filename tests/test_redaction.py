"""Property-style checks with generated values (seeded ``random.Random`` loops)."""

from __future__ import annotations

import random
import string

import pytest

from app.redaction import (
    CARD,
    EMAIL,
    PHONE,
    SECRET,
    Redactor,
    luhn_valid,
    redact,
)

SEEDS = range(200)
WORDS = ["login", "fails", "after", "the", "upgrade", "on", "checkout", "page", "error", "v2"]


def _filler(rng: random.Random, n: int = 4) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _embed(rng: random.Random, value: str) -> str:
    return f"{_filler(rng)} {value}{rng.choice(['', '.', ',', ';'])} {_filler(rng)}"


def _email(rng: random.Random) -> str:
    local = "".join(
        rng.choices(string.ascii_lowercase + string.digits + "._+", k=rng.randint(1, 12))
    )
    host = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 10)))
    return (
        f"{rng.choice(string.ascii_lowercase)}{local}@{host}.{rng.choice(['com', 'io', 'co.uk'])}"
    )


def _luhn_card(rng: random.Random) -> str:
    length = rng.choice([13, 15, 16, 19])
    body = [rng.choice("3456")] + [rng.choice(string.digits) for _ in range(length - 2)]
    check = next(d for d in string.digits if luhn_valid("".join(body) + d))
    digits = "".join(body) + check
    sep = rng.choice(["", " ", "-"])
    return sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))


def _phone(rng: random.Random) -> str:
    def d(k: int) -> str:
        return "".join(rng.choices(string.digits, k=k))

    return rng.choice(
        [
            f"+1 {d(3)}-{d(3)}-{d(4)}",
            f"+44 {d(4)} {d(6)}",
            f"+49 ({d(3)}) {d(7)}",
            f"({d(3)}) {d(3)}-{d(4)}",
            f"{d(3)}.{d(3)}.{d(4)}",
            f"+33{d(9)}",
        ]
    )


def _token(rng: random.Random) -> str:
    alnum = string.ascii_letters + string.digits

    def r(k: int, chars: str = alnum) -> str:
        return "".join(rng.choices(chars, k=k))

    return rng.choice(
        [
            f"xoxb-{r(12, string.digits)}-{r(24)}",
            f"xoxp-{r(10, string.digits)}-{r(30)}",
            f"sk-{r(40)}",
            f"sk-proj-{r(48)}",
            f"ghp_{r(36)}",
            f"AKIA{r(16, string.ascii_uppercase + string.digits)}",
            f"lin_api_{r(40)}",
            r(40) + rng.choice(string.digits),  # a long random string without a known prefix
        ]
    )


@pytest.mark.parametrize(
    ("make", "placeholder"),
    [(_email, EMAIL), (_luhn_card, CARD), (_phone, PHONE), (_token, SECRET)],
)
def test_generated_values_are_replaced(make: object, placeholder: str) -> None:
    assert callable(make)
    for seed in SEEDS:
        rng = random.Random(seed)
        value = make(rng)
        text = _embed(rng, value)
        cleaned = redact(text)
        assert value not in cleaned, (seed, text, cleaned)
        assert placeholder in cleaned, (seed, text, cleaned)
        assert redact(cleaned) == cleaned


def test_numbers_that_fail_luhn_are_not_cards() -> None:
    for seed in SEEDS:
        rng = random.Random(seed)
        digits = [rng.choice(string.digits) for _ in range(16)]
        digits[-1] = next(d for d in string.digits if not luhn_valid("".join(digits[:-1]) + d))
        number = "".join(digits)
        assert CARD not in redact(f"order {number} shipped")


def test_ordinary_text_is_kept() -> None:
    text = (
        'Traceback (most recent call last):\n  File "/srv/app/billing/invoices.py", line 118, in '
        "render_invoice\n    total = compute_total(order_items)\nKeyError: 'currency_code'\n"
        "Release 2026-11-26 build 4521, request a1b2c3d4-e5f6-4711-8899-aabbccddeeff, "
        "commit 9fceb02d0ae598e95dc970b74767f19372d61af8, at 12:30:05."
    )
    assert redact(text) == text


def test_allow_list_keeps_domains_and_strings() -> None:
    redactor = Redactor.with_allow_list(domains=["example.com"], strings=["+1 555-010-0000"])
    for seed in SEEDS:
        rng = random.Random(seed)
        local = "".join(rng.choices(string.ascii_lowercase, k=8))
        kept = f"{local}@{rng.choice(['', 'eu.'])}example.com"
        gone = f"{local}@example.org"
        text = f"cc {kept} and {gone}, call +1 555-010-0000"
        cleaned = redact(text, redactor)
        assert kept in cleaned and gone not in cleaned
        assert "+1 555-010-0000" in cleaned
    assert redact("mail x@example.com") == f"mail {EMAIL}"  # the default allows nothing


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
