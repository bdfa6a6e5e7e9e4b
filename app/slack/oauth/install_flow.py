"""Bolt's OAuth settings on the app's database: installation store, signed state store, pages
for the person installing, and the serialised token refresh."""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
from dataclasses import dataclass

from slack_bolt import BoltResponse
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.state_utils import OAuthStateUtils
from sqlalchemy.engine import Engine

from app.config import Settings
from app.slack.oauth.token_refresh import SerializedTokenAuthorize

logger = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_EXPIRATION_SECONDS = 600
#: The bot scopes the app asks for (the same as ``oauth_config.scopes.bot`` in manifest.yml).
BOT_SCOPES = (
    "channels:history",
    "channels:read",
    "groups:history",
    "groups:read",
    "chat:write",
    "reactions:write",
    "commands",
    "files:write",
    "users:read",
    "users:read.email",
    "team:read",
)

FAILURES = {
    "invalid_browser": "This install link was opened in a different browser, or it expired.",
    "invalid_state": "This install link has expired or was already used.",
    "missing_code": "Slack did not send an authorization code.",
    "invalid_code": "Slack did not accept the authorization code (it may have been used).",
    "access_denied": "The installation was cancelled in Slack.",
    "storage_error": "The installation could not be saved. Nothing was installed.",
}


class SignedStateStore(OAuthStateStore):
    """OAuth states kept in the database and signed with ``SLACK_STATE_SECRET``: a state is valid
    once, before it expires, and only if this deployment issued it."""

    def __init__(self, inner: OAuthStateStore, *, secret: str) -> None:
        self._inner = inner
        self._key = secret.encode()

    @property
    def logger(self) -> logging.Logger:
        return logger

    def _signature(self, value: str) -> str:
        return hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self, *args: object, **kwargs: object) -> str:
        value = self._inner.issue()
        return f"{value}.{self._signature(value)}"

    def consume(self, state: str) -> bool:
        value, _, signature = (state or "").rpartition(".")
        if not value or not hmac.compare_digest(signature, self._signature(value)):
            return False
        return self._inner.consume(value)


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head>"
        f"<body style='font-family:sans-serif;max-width:40em;margin:4em auto'>"
        f"<h1>{html.escape(title)}</h1>{body}</body></html>"
    )


@dataclass(frozen=True)
class _Pages:
    state_utils: OAuthStateUtils

    def success(self, args: SuccessArgs) -> BoltResponse:
        team = args.installation.team_name or args.installation.team_id or "your workspace"
        body = (
            f"<p>Escalation Bot is installed in <b>{html.escape(team)}</b>.</p>"
            "<p>Invite <code>@Support Assistant</code> to your customer channels and agent "
            "channels, and describe this workspace's support team in the config file.</p>"
        )
        logger.info("installed in team %s", args.installation.team_id)
        return self._reply(200, _page("Installed", body))

    def failure(self, args: FailureArgs) -> BoltResponse:
        reason = FAILURES.get(args.reason, "The installation did not complete.")
        body = (
            f"<p>{html.escape(reason)}</p><p>Nothing was installed. "
            f"<a href='{INSTALL_PATH}'>Start the installation again</a>.</p>"
            f"<p><small>reason: {html.escape(args.reason)}</small></p>"
        )
        logger.warning("installation failed: %s", args.reason)
        return self._reply(args.suggested_status_code, _page("Installation failed", body))

    def _reply(self, status: int, body: str) -> BoltResponse:
        return BoltResponse(
            status=status,
            body=body,
            headers={
                "Content-Type": "text/html; charset=utf-8",
                "Set-Cookie": self.state_utils.build_set_cookie_for_deletion(),
            },
        )


@dataclass(frozen=True)
class OAuthWiring:
    """What the Bolt app needs for OAuth mode."""

    settings: OAuthSettings
    authorize: SerializedTokenAuthorize
    installation_store: SQLAlchemyInstallationStore


def build_oauth(settings: Settings, *, engine: Engine, client: WebClient) -> OAuthWiring:
    """OAuth settings on ``engine``; ``client`` (base URL ``SLACK_API_URL``) serves every Web API
    call of the flow and of the token refresh."""
    assert settings.slack_client_id and settings.slack_client_secret and settings.slack_state_secret
    client_id = settings.slack_client_id
    client_secret = settings.slack_client_secret.get_secret_value()
    store = SQLAlchemyInstallationStore(client_id=client_id, engine=engine, logger=logger)
    states = SignedStateStore(
        SQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine, logger=logger
        ),
        secret=settings.slack_state_secret.get_secret_value(),
    )
    pages = _Pages(
        OAuthStateUtils(cookie_name=OAuthStateUtils.default_cookie_name, expiration_seconds=0)
    )
    authorize = SerializedTokenAuthorize(
        engine=engine,
        installation_store=store,
        client_id=client_id,
        client_secret=client_secret,
        client=client,
        token_rotation_expiration_minutes=settings.slack_token_rotation_minutes,
    )
    oauth_settings = OAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=CallbackOptions(success=pages.success, failure=pages.failure),
        installation_store=store,
        token_rotation_expiration_minutes=settings.slack_token_rotation_minutes,
        state_store=states,
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
        logger=logging.getLogger("slack_bolt.OAuthFlow"),
    )
    oauth_settings.authorize = authorize  # not the default one, whose client is Slack's own URL
    return OAuthWiring(settings=oauth_settings, authorize=authorize, installation_store=store)
