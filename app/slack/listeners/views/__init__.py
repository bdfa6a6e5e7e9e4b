"""Modal submission listeners."""

from __future__ import annotations

from slack_bolt import App

from app.slack.blocks.csat import COMMENT_MODAL_CALLBACK
from app.slack.blocks.resolve_modal import RESOLVE_MODAL_CALLBACK
from app.slack.listeners.views.csat_comment_submitted import csat_comment_submitted
from app.slack.listeners.views.resolve_submitted import resolve_submitted


def register(app: App) -> None:
    app.view(RESOLVE_MODAL_CALLBACK)(resolve_submitted)
    app.view(COMMENT_MODAL_CALLBACK)(csat_comment_submitted)
