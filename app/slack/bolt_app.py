"""Builds the Bolt app: client, middleware, listeners."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient

from app.runtime import Runtime
from app.slack import listeners
from app.slack.bounded_executor import BoundedExecutor, admission_middleware
from app.slack.client import build_web_client
from app.slack.middleware.event_store import store_events
from app.slack.middleware.runtime import runtime_middleware
from app.slack.oauth.install_flow import build_oauth


def create_bolt_app(
    runtime: Runtime,
    *,
    client: WebClient | None = None,
    executor: BoundedExecutor | None = None,
) -> App:
    """The Bolt app: for one workspace (bot token), or for every workspace that installed it
    through OAuth (client id, client secret and state secret; installations in the database)."""
    settings = runtime.settings
    settings.require_slack()
    executor = executor or BoundedExecutor(thread_name_prefix="listener")
    signing_secret = settings.slack_signing_secret
    client = client or build_web_client(settings)
    oauth = (
        build_oauth(settings, engine=runtime.engine, client=client) if settings.oauth_mode else None
    )
    app = App(
        client=client,
        signing_secret=signing_secret.get_secret_value() if signing_secret else None,
        token_verification_enabled=False,
        raise_error_for_unhandled_request=True,
        request_verification_enabled=signing_secret is not None,
        logger=_bolt_logger(),
        listener_executor=executor,
        oauth_settings=oauth.settings if oauth else None,
        # an Authorize instance is accepted alongside oauth_settings (Bolt checks isinstance)
        authorize=oauth.authorize if oauth else None,  # type: ignore[arg-type]
        installation_store=oauth.installation_store if oauth else None,
    )
    app.use(runtime_middleware(runtime))
    app.use(store_events)
    app.use(admission_middleware(executor))
    listeners.register(app)
    return app


class _ClientTokenNotice(logging.Filter):
    """Bolt warns at every start that ``SLACK_BOT_TOKEN`` "will be unused" because a client is
    passed too; the client is built from that same setting (or, with OAuth, each installation's
    token is used), so the warning says nothing an operator can act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("slack_bolt.App")
    if not any(isinstance(f, _ClientTokenNotice) for f in logger.filters):
        logger.addFilter(_ClientTokenNotice())
    return logger
