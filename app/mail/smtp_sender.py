"""Sends one email over SMTP with the standard library: ``smtp://`` (STARTTLS when offered) or
``smtps://`` (TLS from the start), logging in when the URL has a user."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from app.config import Settings
from app.mail.sender import MailSendError

TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class SmtpSender:
    url: str
    sender: str
    timeout: float = TIMEOUT_SECONDS

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpSender | None:
        if settings.smtp_url is None or settings.smtp_from is None:
            return None
        return cls(settings.smtp_url.get_secret_value(), settings.smtp_from)

    def send(self, *, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        url = urlsplit(self.url)
        host, secure = url.hostname or "localhost", url.scheme == "smtps"
        port = url.port or (465 if secure else 25)
        try:
            if secure:
                context = ssl.create_default_context()
                with smtplib.SMTP_SSL(host, port, timeout=self.timeout, context=context) as smtp:
                    self._deliver(smtp, url.username, url.password, message)
            else:
                with smtplib.SMTP(host, port, timeout=self.timeout) as smtp:
                    smtp.ehlo()
                    if smtp.has_extn("starttls"):
                        smtp.starttls(context=ssl.create_default_context())
                        smtp.ehlo()
                    self._deliver(smtp, url.username, url.password, message)
        except (OSError, smtplib.SMTPException) as exc:
            # The class and the SMTP code only: refusals quote the address, which stays here.
            code = getattr(exc, "smtp_code", None)
            raise MailSendError(f"{type(exc).__name__} {code or ''}".strip()) from None

    @staticmethod
    def _deliver(
        smtp: smtplib.SMTP, user: str | None, password: str | None, message: EmailMessage
    ) -> None:
        if user:
            smtp.login(unquote(user), unquote(password or ""))
        smtp.send_message(message)
