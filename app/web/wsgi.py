"""The WSGI application: ``POST /slack/events`` to Bolt, ``GET /healthz`` for load balancers, and
in OAuth mode ``GET /slack/install`` and ``GET /slack/oauth_redirect`` to Bolt's OAuth flow."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_000_000  # Slack payloads are far smaller; refuse anything larger

WsgiApp = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]


def create_wsgi_app(bolt_app: App, *, engine: Engine, signing_secret: str) -> WsgiApp:
    verifier = SignatureVerifier(signing_secret)

    def slack(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = WsgiHttpRequest(environ)
        body, headers = request.get_body(), request.get_headers()
        try:
            bolt_request = BoltRequest(body=body, query=request.query_string, headers=headers)
        except ValueError:
            # Bolt cannot parse the body. Signed by Slack: acknowledge (a retry would not help);
            # otherwise refuse like any unsigned request.
            flat = {k: v if isinstance(v, str) else next(iter(v), "") for k, v in headers.items()}
            if not verifier.is_valid_request(body, flat):
                return _reply(start_response, "401 Unauthorized", {"error": "invalid signature"})
            logger.warning("signed request with a malformed body (%d bytes) ignored", len(body))
            return _reply(start_response, "200 OK", {"ok": False, "error": "malformed body"})
        return _send(bolt_app.dispatch(bolt_request), start_response)

    def oauth(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        flow = bolt_app.oauth_flow
        assert flow is not None
        request = WsgiHttpRequest(environ)
        bolt_request = BoltRequest(
            body="", query=request.query_string, headers=request.get_headers()
        )
        if environ.get("PATH_INFO") == flow.install_path:
            return _send(flow.handle_installation(bolt_request), start_response)
        return _send(flow.handle_callback(bolt_request), start_response)

    oauth_paths = (
        {bolt_app.oauth_flow.install_path, bolt_app.oauth_flow.redirect_uri_path}
        if bolt_app.oauth_flow is not None
        else set()
    )

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return _health(engine, start_response)
        if path in oauth_paths and method == "GET":
            return oauth(environ, start_response)
        if path == SLACK_PATH and method == "POST":
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > MAX_BODY_BYTES:
                return _reply(start_response, "413 Payload Too Large", {"error": "too large"})
            return slack(environ, start_response)
        return _reply(start_response, "404 Not Found", {"error": "not found"})

    return application


def _send(bolt_response: BoltResponse, start_response: StartResponse) -> Iterable[bytes]:
    response = WsgiHttpResponse(
        status=bolt_response.status, headers=bolt_response.headers, body=bolt_response.body
    )
    start_response(response.status, response.get_headers())
    return response.get_body()


def _health(engine: Engine, start_response: StartResponse) -> Iterable[bytes]:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        logger.error("health check: database unavailable: %s", type(exc).__name__)
        return _reply(start_response, "503 Service Unavailable", {"ok": False, "database": "down"})
    return _reply(start_response, "200 OK", {"ok": True, "database": "up"})


def _reply(
    start_response: StartResponse, status: str, payload: dict[str, object]
) -> Iterable[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
