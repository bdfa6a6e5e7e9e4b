"""The trackers' settings (Linear, Jira), taken from the one Settings object; each integration
is off until all of its settings are there."""

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


class JiraSettings(BaseModel):
    """Jira Cloud: the site URL, an account's e-mail and API token, the default project."""

    model_config = ConfigDict(frozen=True)

    jira_base_url: str | None = None
    jira_email: str | None = None
    jira_api_token: SecretStr | None = None
    jira_project_key: str | None = None

    @property
    def enabled(self) -> bool:
        return not self.missing()

    def missing(self) -> list[str]:
        """The variables it still needs (all four, or none when the integration is unused)."""
        values = {
            "JIRA_BASE_URL": self.jira_base_url,
            "JIRA_EMAIL": self.jira_email,
            "JIRA_API_TOKEN": self.jira_api_token.get_secret_value()
            if self.jira_api_token
            else None,
            "JIRA_PROJECT_KEY": self.jira_project_key,
        }
        return [name for name, value in values.items() if not value]


def jira_settings(settings: Settings) -> JiraSettings:
    return JiraSettings(
        jira_base_url=settings.jira_base_url,
        jira_email=settings.jira_email,
        jira_api_token=settings.jira_api_token,
        jira_project_key=settings.jira_project_key,
    )
