"""Slack's refusals as delivery outcomes: what a retry can cure, and what it cannot."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.delivery.outcomes import DeliveryError, PermanentError, RetryableError, retry_after_seconds
from app.slack.workspaces import ClientForTeam

#: Slack errors that a retry can cure (everything else is a bad channel, a missing scope, ...).
RETRYABLE = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable"})


def delivery_error(exc: SlackApiError, *, where: str) -> DeliveryError:
    """``RetryableError`` for Slack's hiccups (with its ``Retry-After``), else ``PermanentError``;
    the message names Slack's error code and ``where`` (a channel id), never a message's text."""
    error = str(exc.response.get("error", "error"))
    if error in RETRYABLE or exc.response.status_code >= 500:
        headers = exc.response.headers or {}
        retry_after = retry_after_seconds(headers.get("Retry-After"))
        return RetryableError(f"Slack answered {error}", retry_after=retry_after)
    return PermanentError(f"Slack answered {error} for channel {where}")


def client_for(clients: WebClient | ClientForTeam, team_id: object, *, where: str) -> WebClient:
    """The client a delivery of ``team_id``'s to channel ``where`` goes out with: the one client
    of a single bot token, or that installation's (``PermanentError`` when it has none)."""
    if isinstance(clients, WebClient):
        return clients
    client = clients(str(team_id)) if team_id else None
    if client is None:
        raise PermanentError(f"no installation of workspace {team_id} to post to {where}")
    return client
