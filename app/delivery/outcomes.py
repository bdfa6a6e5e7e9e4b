"""What a sender returns or raises, and how long to wait before the next attempt."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from sqlmodel import Session

MAX_ATTEMPTS = 8
BASE_DELAY_SECONDS = 30.0
MAX_DELAY_SECONDS = 3600.0


@dataclass(frozen=True)
class Delivered:
    """The external record the message became."""

    external_id: str
    external_url: str | None = None


class DeliveryError(Exception):
    """A failed attempt; the message is safe to log (no payload text in it)."""


class RetryableError(DeliveryError):
    """Timeouts, connection errors, HTTP 5xx and 429: try again later."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(DeliveryError):
    """The request itself is wrong (HTTP 4xx, GraphQL errors): retrying will not help."""


Sender = Callable[[dict[str, Any], str], Delivered]
"""Called with the event's payload and idempotency key."""


@runtime_checkable
class AttemptSender(Protocol):
    """A sender that is told which attempt this is: from the second on, an earlier attempt may
    have reached the other side before its process died (a Slack sender then looks for the
    message carrying the key before posting again)."""

    def send_attempt(self, payload: dict[str, Any], key: str, *, attempt: int) -> Delivered: ...


Recorder = Callable[[Session, dict[str, Any], Delivered], None]
"""Records a delivery where the product keeps it (a card's ts, a survey's message), in the
transaction that marks the row delivered."""


def retry_after_seconds(value: object) -> float | None:
    """A ``Retry-After`` header's seconds, or None when absent or not a number."""
    try:
        return float(str(value)) if value is not None else None
    except ValueError:
        return None


def backoff_seconds(
    attempts: int, *, rng: random.Random, retry_after: float | None = None
) -> float:
    """Exponential backoff with jitter: ``base * 2**(attempts-1)`` capped, plus up to half again
    at random; never sooner than the server's ``Retry-After``."""
    exponent = max(attempts - 1, 0)
    delay = min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2.0**exponent)
    delay += rng.uniform(0, delay / 2)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_DELAY_SECONDS))
    return delay
