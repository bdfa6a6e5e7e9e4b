"""What sends one email, and the error it raises when the mail server does not take it."""

from __future__ import annotations

from typing import Protocol


class MailSender(Protocol):
    def send(self, *, to: str, subject: str, body: str) -> None: ...


class MailSendError(Exception):
    """The mail server did not take the email; the text is safe to store (no address)."""
