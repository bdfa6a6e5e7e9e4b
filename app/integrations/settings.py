"""Linear settings, read from the environment; the integration is off without a key and team."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_LINEAR_API_URL = "https://api.linear.app/graphql"


class LinearSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    linear_api_key: SecretStr | None = None
    linear_team_id: str | None = None
    linear_api_url: str = DEFAULT_LINEAR_API_URL

    @field_validator("linear_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("LINEAR_API_URL must be an http(s) URL")
        return value

    @property
    def enabled(self) -> bool:
        return bool(
            self.linear_api_key and self.linear_api_key.get_secret_value() and self.linear_team_id
        )


def load_linear_settings() -> LinearSettings:
    return LinearSettings()
