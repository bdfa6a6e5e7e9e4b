"""Builds the WSGI app inside a server worker process."""

from __future__ import annotations

from app.config import Settings
from app.runtime import bootstrap
from app.slack.bolt_app import create_bolt_app
from app.web.wsgi import WsgiApp, create_wsgi_app


def load_wsgi_app(settings: Settings) -> WsgiApp:
    runtime = bootstrap(settings, auto_upgrade=False)
    secret = settings.slack_signing_secret
    assert secret is not None  # checked by Settings.require_slack() before serving
    return create_wsgi_app(
        create_bolt_app(runtime), engine=runtime.engine, signing_secret=secret.get_secret_value()
    )
