"""Delivers reminders about unclaimed escalations from the outbox into the overflow and leads
channels, with the token of the installation they belong to."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine

from app.delivery.outcomes import Delivered
from app.escalations.reminders import ConfigFor, ReminderPoster, reminder_channel
from app.slack.agent_desk import SlackAgentDesk
from app.slack.delivery_errors import client_for, delivery_error
from app.slack.workspaces import ClientForTeam


class SlackReminderSender:
    """Slack's refusals as delivery outcomes: its hiccups are retried with the outbox's backoff
    (after its ``Retry-After``), a bad channel or a missing scope is not."""

    def __init__(
        self, *, engine: Engine, configs: ConfigFor, clients: WebClient | ClientForTeam
    ) -> None:
        self._configs = configs
        self._clients = clients
        self._poster = ReminderPoster(engine=engine, configs=configs, desks=self._desk)

    def _desk(self, team_id: str | None) -> SlackAgentDesk:
        return SlackAgentDesk(client_for(self._clients, team_id, where="its reminders' channels"))

    def send_attempt(self, payload: dict[str, Any], key: str, *, attempt: int) -> Delivered:
        try:
            return self._poster.send_attempt(payload, key, attempt=attempt)
        except SlackApiError as exc:
            where = reminder_channel(self._configs(payload.get("team_id")), payload)
            raise delivery_error(exc, where=where) from None
