"""Delivers reminders about unclaimed escalations from the outbox into the overflow and leads
channels, with the token of the installation they belong to."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from app.delivery.outcomes import Delivered
from app.escalations.reminders import ConfigFor, ReminderPoster, reminder_channel
from app.slack.agent_desk import SlackAgentDesk
from app.slack.gateway import ClientForTeam, SlackConnection, SlackRefusedError, gateway_for


class SlackReminderSender:
    """Slack's refusals as delivery outcomes: its hiccups are retried with the outbox's backoff
    (after its ``Retry-After``), a bad channel or a missing scope is not."""

    def __init__(
        self, *, engine: Engine, configs: ConfigFor, clients: SlackConnection | ClientForTeam
    ) -> None:
        self._configs = configs
        self._clients = clients
        self._poster = ReminderPoster(engine=engine, configs=configs, desks=self._desk)

    def _desk(self, team_id: str | None) -> SlackAgentDesk:
        return SlackAgentDesk(gateway_for(self._clients, team_id, where="its reminders' channels"))

    def send_attempt(self, payload: dict[str, Any], key: str, *, attempt: int) -> Delivered:
        try:
            return self._poster.send_attempt(payload, key, attempt=attempt)
        except SlackRefusedError as refusal:
            where = reminder_channel(self._configs(payload.get("team_id")), payload)
            raise refusal.delivery_error(where=where) from None
