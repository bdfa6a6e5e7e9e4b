"""Builds the Bolt app: client, middleware, listeners."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from app.runtime import Runtime
from app.slack import listeners
from app.slack.bounded_executor import BoundedExecutor, admission_middleware
from app.slack.client import build_web_client
from app.slack.middleware.event_store import store_events
from app.slack.middleware.runtime import runtime_middleware


def create_bolt_app(
    runtime: Runtime,
    *,
    client: WebClient | None = None,
    executor: BoundedExecutor | None = None,
) -> App:
    """The Bolt app for a single workspace (bot token + signing secret from the settings)."""
    settings = runtime.settings
    settings.require_slack()
    assert settings.slack_bot_token is not None
    executor = executor or BoundedExecutor(thread_name_prefix="listener")
    signing_secret = settings.slack_signing_secret
    app = App(
        client=client or build_web_client(settings),
        signing_secret=signing_secret.get_secret_value() if signing_secret else None,
        token_verification_enabled=False,
        raise_error_for_unhandled_request=True,
        request_verification_enabled=signing_secret is not None,
        logger=logging.getLogger("slack_bolt.App"),
        listener_executor=executor,
    )
    app.use(runtime_middleware(runtime))
    app.use(store_events)
    app.use(admission_middleware(executor))
    listeners.register(app)
    return app
