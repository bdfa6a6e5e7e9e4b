"""Linear's settings, taken from the one Settings object; the integration is off without a key
and a team."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, SecretStr

from app.config import Settings, load_settings

DEFAULT_LINEAR_API_URL = "https://api.linear.app/graphql"


class LinearSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    linear_api_key: SecretStr | None = None
    linear_team_id: str | None = None
    linear_api_url: str = DEFAULT_LINEAR_API_URL

    @property
    def enabled(self) -> bool:
        return bool(
            self.linear_api_key and self.linear_api_key.get_secret_value() and self.linear_team_id
        )


def linear_settings(settings: Settings) -> LinearSettings:
    return LinearSettings(
        linear_api_key=settings.linear_api_key,
        linear_team_id=settings.linear_team_id,
        linear_api_url=settings.linear_api_url,
    )


def load_linear_settings() -> LinearSettings:
    """From the environment (through Settings: a bad value is a StartupError naming it)."""
    return linear_settings(load_settings())
