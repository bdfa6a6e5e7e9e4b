"""HubSpot's and Salesforce's settings, taken from the one Settings object.

Each integration is off unless its credentials are set. A half or wrong configuration (a token
without an instance URL, a URL that is not http(s)) turns the integration off and is described
by ``problem``: reported at start-up, never raised, so a typo cannot crash-loop the processes.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.config import Settings
from app.integrations.http_json import check_base_url


@dataclass(frozen=True)
class CrmSettings:
    """One CRM's connection: ``base_url`` and ``token`` when usable, else ``problem`` (or
    nothing at all when it is simply not configured)."""

    name: str
    base_url: str | None = None
    token: str | None = None
    problem: str | None = None

    @property
    def enabled(self) -> bool:
        return self.base_url is not None and self.token is not None and self.problem is None


def _secret(value: object) -> str | None:
    text = value.get_secret_value() if hasattr(value, "get_secret_value") else value
    return str(text).strip() or None if text else None


def _checked(name: str, *, url: str | None, url_var: str, token: str | None) -> CrmSettings:
    if token is None and url is None:
        return CrmSettings(name)
    if token is None:
        return CrmSettings(name, problem=f"{url_var} is set but the access token is not")
    if not url:
        return CrmSettings(name, problem=f"the access token is set but {url_var} is not")
    try:
        base = check_base_url(url, name=url_var)
    except ValueError as exc:
        return CrmSettings(name, problem=str(exc))
    return CrmSettings(name, base_url=base, token=token)


def hubspot_settings(settings: Settings) -> CrmSettings:
    token = _secret(settings.hubspot_access_token)
    if token is None:
        return CrmSettings("HubSpot")
    return _checked("HubSpot", url=settings.hubspot_api_url, url_var="HUBSPOT_API_URL", token=token)


def salesforce_settings(settings: Settings) -> CrmSettings:
    return _checked(
        "Salesforce",
        url=settings.salesforce_instance_url,
        url_var="SALESFORCE_INSTANCE_URL",
        token=_secret(settings.salesforce_access_token),
    )
