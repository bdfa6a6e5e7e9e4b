"""Listener wiring: each folder registers its handlers; one handler per module."""

from __future__ import annotations

from slack_bolt import App

from app.slack.listeners import actions, commands, errors, events, views


def register(app: App) -> None:
    events.register(app)
    actions.register(app)
    views.register(app)
    commands.register(app)
    errors.register(app)
