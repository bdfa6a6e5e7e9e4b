"""Builds the WSGI app inside a server worker process."""

from __future__ import annotations

from app.config import Settings
from app.runtime import bootstrap
from app.slack.bolt_app import create_bolt_app
from app.web.wsgi import WsgiApp, create_wsgi_app


def load_wsgi_app(settings: Settings) -> WsgiApp:
    # With EVENT_PROCESSING=worker this process stores and acks messages, and triage runs in
    # `escalation-bot events`: its models (most of a process's memory) are loaded only if used.
    runtime = bootstrap(
        settings, auto_upgrade=False, warm_up_triage=settings.event_processing != "worker"
    )
    secret = settings.slack_signing_secret
    assert secret is not None  # checked by Settings.require_slack() before serving
    return create_wsgi_app(
        create_bolt_app(runtime), engine=runtime.engine, signing_secret=secret.get_secret_value()
    )
