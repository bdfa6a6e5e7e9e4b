from __future__ import annotations

import logging

import pytest

from app.logging_setup import RedactingFilter, redact


@pytest.mark.parametrize(
    ("raw", "secret"),
    [
        ("token xoxb-123-456-abcdef used", "xoxb-123-456-abcdef"),
        ("app token xapp-1-A0-99-ff", "xapp-1-A0-99-ff"),
        ("key sk-proj-abcdefghijkl", "sk-proj-abcdefghijkl"),
        ("Authorization: Bearer abc.def.ghi", "abc.def.ghi"),
        ("customer jane.doe@example.com wrote", "jane.doe@example.com"),
    ],
)
def test_redacts_secrets_and_emails(raw: str, secret: str) -> None:
    assert secret not in redact(raw)


def test_filter_redacts_arguments_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redaction")
    logger.addFilter(RedactingFilter())
    try:
        with caplog.at_level(logging.INFO, logger="test.redaction"):
            logger.info("calling with %s", "xoxb-999-secret")
            try:
                raise ValueError("bad token xoxb-777-secret")
            except ValueError:
                logger.exception("failed for %s", "ops@example.com")
    finally:
        logger.filters.clear()
    text = caplog.text
    assert "xoxb-999-secret" not in text and "xoxb-777-secret" not in text
    assert "ops@example.com" not in text
    assert "calling with xox?-[redacted]" in text
