"""The SMTP sender against a local SMTP server: it logs in and delivers; a server that is down
or refuses becomes a retryable error that names no address."""

from __future__ import annotations

import pytest

from app.config import Settings
from app.mail.sender import MailSendError
from app.mail.smtp_sender import SmtpSender
from tests.smtp_server import SmtpServer, free_port, smtp_server

__all__ = ["smtp_server"]


def test_sends_with_login_to_the_local_server(smtp_server: SmtpServer) -> None:
    settings = Settings(smtp_url=smtp_server.url, smtp_from="support@example.com")
    sender = SmtpSender.from_settings(settings)
    assert sender is not None
    sender.send(to="maria@example.org", subject="Your request #4", body="We'll email you.")
    [message] = smtp_server.inbox.messages
    assert message["From"] == "support@example.com" and message["To"] == "maria@example.org"
    assert message["Subject"] == "Your request #4"
    assert "We'll email you." in message.get_payload()  # type: ignore[operator]


def test_a_server_that_refuses_or_is_down_is_an_error_without_the_address(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.inbox.refuse = True
    sender = SmtpSender(smtp_server.url, "support@example.com")
    with pytest.raises(MailSendError) as refused:
        sender.send(to="maria@example.org", subject="s", body="b")
    assert "451" in str(refused.value) and "maria" not in str(refused.value)
    down = SmtpSender(f"smtp://127.0.0.1:{free_port()}", "support@example.com", timeout=2)
    with pytest.raises(MailSendError, match="ConnectionRefusedError"):
        down.send(to="maria@example.org", subject="s", body="b")


def test_email_is_off_until_both_settings_are_given() -> None:
    assert SmtpSender.from_settings(Settings()) is None
