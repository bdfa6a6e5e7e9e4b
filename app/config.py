"""The one Settings object: every environment variable the app reads is declared here."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.errors import StartupError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = PROJECT_ROOT / "escalation.example.yml"
SLACK_API_URL = "https://slack.com/api/"


class Settings(BaseSettings):
    """Environment variables of the bot (names are the upper-case field names)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = SLACK_API_URL
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_state_secret: SecretStr | None = None
    slack_redirect_uri: str | None = None
    slack_token_rotation_minutes: int = Field(default=120, ge=1, le=720)
    database_url: str = "sqlite:///escalation.db"
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_timeout_seconds: float = Field(default=8.0, gt=0, le=60)
    openai_max_retries: int = Field(default=1, ge=0, le=5)
    escalation_config: Path = EXAMPLE_CONFIG
    linear_api_key: SecretStr | None = None
    linear_team_id: str | None = None
    linear_api_url: str = "https://api.linear.app/graphql"
    jira_base_url: str | None = None  # https://your-site.atlassian.net
    jira_email: str | None = None
    jira_api_token: SecretStr | None = None
    jira_project_key: str | None = None
    # "Email me instead" follow-ups: smtp://user:pass@host:587 (STARTTLS when the server offers
    # it) or smtps://user:pass@host:465 (TLS), and the From address; unset: no email option
    smtp_url: SecretStr | None = None
    smtp_from: str | None = Field(default=None, pattern=r"^[^@\s<>]+@[^@\s<>]+$")
    # CRM integrations: each is off unless its token is set; a bad URL turns it off with a
    # start-up report (never a crash), see app/integrations/crm_settings.py
    hubspot_access_token: SecretStr | None = None
    hubspot_api_url: str = "https://api.hubapi.com"
    salesforce_instance_url: str | None = None
    salesforce_access_token: SecretStr | None = None
    port: int = Field(default=3000, ge=1, le=65535)
    web_concurrency: int = Field(default=2, ge=1, le=64)
    web_threads: int = Field(default=8, ge=1, le=256)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # inline: web processes run the work of an event after its ack; worker: they only store and
    # ack it, and `escalation-bot events` processes it.
    event_processing: Literal["inline", "worker"] = "inline"
    event_processor_threads: int = Field(default=4, ge=1, le=64)

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        url = urlsplit(value.get_secret_value())
        if url.scheme not in ("smtp", "smtps") or not url.hostname:
            raise ValueError("must look like smtp://user:password@host:587 or smtps://host:465")
        return value

    @model_validator(mode="after")
    def _smtp_complete(self) -> Settings:
        if (self.smtp_url is None) != (self.smtp_from is None):
            raise ValueError("SMTP_URL and SMTP_FROM go together: set both or neither")
        return self

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("slack_redirect_uri")
    @classmethod
    def _redirect_uri_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be the https URL of /slack/oauth_redirect")
        return value

    @field_validator("linear_api_url")
    @classmethod
    def _linear_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or "://" not in value[:9]:
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("jira_base_url")
    @classmethod
    def _jira_url_shape(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://your-site.atlassian.net")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        if value.startswith("postgres://"):  # the scheme Heroku-style hosts hand out
            value = "postgresql://" + value.removeprefix("postgres://")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not value.startswith(("sqlite://", "postgresql+psycopg://")):
            raise ValueError("must be a sqlite:/// path or a postgresql:// URL")
        return value

    @property
    def oauth_mode(self) -> bool:
        """Several workspaces install the app through OAuth: client id, client secret and state
        secret are set and no single bot token is."""
        return self.slack_bot_token is None and all(
            value is not None
            for value in (self.slack_client_id, self.slack_client_secret, self.slack_state_secret)
        )

    @property
    def has_slack_credentials(self) -> bool:
        """True when the bot talks to real Slack: a bot token, or OAuth installations."""
        return self.slack_bot_token is not None or self.oauth_mode

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    def require_slack(self) -> None:
        """Stop with a clear line unless the settings the chosen transport needs are present."""
        if self.slack_bot_token is None:
            self._require_oauth()
        if not self.socket_mode and self.slack_signing_secret is None:
            raise StartupError(
                "SLACK_SIGNING_SECRET is not set: the signing secret from Basic Information "
                "(or set SLACK_APP_TOKEN for Socket Mode)"
            )

    def _require_oauth(self) -> None:
        oauth = {
            "SLACK_CLIENT_ID": self.slack_client_id,
            "SLACK_CLIENT_SECRET": self.slack_client_secret,
            "SLACK_STATE_SECRET": self.slack_state_secret,
        }
        missing = [name for name, value in oauth.items() if value is None]
        if len(missing) == len(oauth):
            raise StartupError(
                "SLACK_BOT_TOKEN is not set: the bot token (xoxb-...) from OAuth & Permissions "
                "(or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET to install the "
                "app in several workspaces)"
            )
        if missing:
            raise StartupError(f"{', '.join(missing)} not set: OAuth installs need all three")
        if self.socket_mode:
            raise StartupError("OAuth installs need HTTP mode: unset SLACK_APP_TOKEN")


def load_settings(**overrides: object) -> Settings:
    """Read the environment; a bad value becomes a StartupError naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "settings"
        raise StartupError(f"{name} is invalid: {error['msg']}") from None
