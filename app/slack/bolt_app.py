"""Builds the Bolt app: client, middleware, listeners."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient

from app.runtime import Runtime
from app.slack import listeners
from app.slack.client import build_web_client
from app.slack.middleware.event_store import store_events
from app.slack.middleware.runtime import runtime_middleware

LISTENER_THREADS = 16


def create_bolt_app(runtime: Runtime, *, client: WebClient | None = None) -> App:
    """The Bolt app for a single workspace (bot token + signing secret from the settings)."""
    settings = runtime.settings
    settings.require_slack()
    assert settings.slack_bot_token is not None
    signing_secret = settings.slack_signing_secret
    app = App(
        client=client or build_web_client(settings),
        signing_secret=signing_secret.get_secret_value() if signing_secret else None,
        token_verification_enabled=False,
        raise_error_for_unhandled_request=True,
        request_verification_enabled=signing_secret is not None,
        logger=logging.getLogger("slack_bolt.App"),
        listener_executor=ThreadPoolExecutor(
            max_workers=LISTENER_THREADS, thread_name_prefix="listener"
        ),
    )
    app.use(runtime_middleware(runtime))
    app.use(store_events)
    listeners.register(app)
    return app
