"""Slash command listeners."""

from __future__ import annotations

from slack_bolt import App

from app.slack.listeners.commands.escalation_stats import escalation_stats
from app.slack.listeners.commands.escalation_surge import escalation_surge


def register(app: App) -> None:
    app.command("/escalation-stats")(escalation_stats)
    app.command("/escalation-surge")(escalation_surge)
