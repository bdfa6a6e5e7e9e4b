"""Slash command listeners."""

from __future__ import annotations

from slack_bolt import App

from app.slack.listeners.commands.escalation_stats import escalation_stats


def register(app: App) -> None:
    app.command("/escalation-stats")(escalation_stats)
