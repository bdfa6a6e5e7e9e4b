"""Block Kit button listeners."""

from __future__ import annotations

from slack_bolt import App

from app.slack.blocks.answer import NEEDS_HELP_ACTION, SOLVED_ACTION
from app.slack.listeners.actions.answer_needs_help import answer_needs_help
from app.slack.listeners.actions.answer_solved import answer_solved


def register(app: App) -> None:
    app.action(SOLVED_ACTION)(answer_solved)
    app.action(NEEDS_HELP_ACTION)(answer_needs_help)
