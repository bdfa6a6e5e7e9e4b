"""Building the Bolt app: no start-up warning about the bot token an operator cannot act on,
while Bolt's other warnings still reach the log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from standins.local_slack import LocalSlack


def test_no_unused_token_warning_when_the_token_is_in_the_environment(
    database_url: str,
    example_config_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-the-environment")  # Bolt reads it itself
    caplog.set_level(logging.WARNING, logger="slack_bolt.App")
    with LocalSlack(database_url=database_url, config_path=example_config_path):
        logging.getLogger("slack_bolt.App").warning("another warning")
    messages = [r.getMessage() for r in caplog.records if r.name == "slack_bolt.App"]
    assert messages == ["another warning"]
