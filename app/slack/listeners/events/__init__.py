"""Events API listeners."""

from __future__ import annotations

from slack_bolt import App

from app.slack.listeners.events.app_home_opened import app_home_opened
from app.slack.listeners.events.channel_message import channel_message


def register(app: App) -> None:
    app.event("message")(channel_message)
    app.event("app_home_opened")(app_home_opened)
