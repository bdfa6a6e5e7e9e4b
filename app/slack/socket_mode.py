"""Socket Mode: the same Bolt app over a WebSocket (no public HTTP endpoint needed)."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode import SocketModeHandler

from app.runtime import Runtime
from app.slack.bolt_app import create_bolt_app


def run_socket_mode(runtime: Runtime) -> None:
    app_token = runtime.settings.slack_app_token
    assert app_token is not None
    handler = SocketModeHandler(create_bolt_app(runtime), app_token.get_secret_value())
    handler.start()  # type: ignore[no-untyped-call]
