from __future__ import annotations

import pytest

from app.config import EXAMPLE_CONFIG, load_settings
from app.errors import StartupError


def test_defaults_need_no_environment() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///escalation.db"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.escalation_config == EXAMPLE_CONFIG
    assert not settings.has_slack_credentials


def test_reads_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-abc")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "shh")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9999/api")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/bot")
    settings = load_settings()
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.database_url == "postgresql+psycopg://u:p@db:5432/bot"
    assert settings.slack_bot_token is not None
    assert "xoxb" not in repr(settings)  # secrets never print
    settings.require_slack()


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "SLACK_BOT_TOKEN is invalid"),
        ("SLACK_APP_TOKEN", "xoxb-not-an-app-token", "SLACK_APP_TOKEN is invalid"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL is invalid"),
        ("DATABASE_URL", "mysql://db/x", "DATABASE_URL is invalid"),
        ("PORT", "eighty", "PORT is invalid"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL is invalid"),
    ],
)
def test_invalid_setting_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(StartupError) as caught:
        load_settings()
    assert str(caught.value).startswith(expected)
    assert "\n" not in str(caught.value)
    assert value not in str(caught.value) or name != "SLACK_BOT_TOKEN"


def test_missing_slack_settings_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(StartupError, match="SLACK_BOT_TOKEN is not set"):
        load_settings().require_slack()
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    with pytest.raises(StartupError, match="SLACK_SIGNING_SECRET is not set"):
        load_settings().require_slack()
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    load_settings().require_slack()  # Socket Mode needs no signing secret


def test_oauth_mode_needs_client_id_secret_and_state_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "1111.2222")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing")
    with pytest.raises(
        StartupError, match="SLACK_CLIENT_SECRET, SLACK_STATE_SECRET not set: OAuth installs"
    ):
        load_settings().require_slack()
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "secret")
    monkeypatch.setenv("SLACK_STATE_SECRET", "state")
    settings = load_settings()
    settings.require_slack()
    assert settings.oauth_mode and settings.has_slack_credentials
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    with pytest.raises(StartupError, match="OAuth installs need HTTP mode"):
        load_settings().require_slack()


def test_a_bot_token_keeps_single_workspace_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_CLIENT_ID": "1111.2222",
        "SLACK_CLIENT_SECRET": "secret",
        "SLACK_STATE_SECRET": "state",
    }.items():
        monkeypatch.setenv(name, value)
    assert not load_settings().oauth_mode


def test_redirect_uri_must_be_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_REDIRECT_URI", "bot.example.com/slack/oauth_redirect")
    with pytest.raises(StartupError, match="SLACK_REDIRECT_URI is invalid"):
        load_settings()
