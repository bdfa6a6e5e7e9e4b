"""``oauth.v2.access`` of the stand-in: installs into several workspaces, rotating tokens.

The person installing approves in "Slack" (:meth:`OAuthInstalls.approve` hands out the one-time
code Slack would put on the redirect URL); the app exchanges it with its client id and secret
(HTTP Basic, as ``slack_sdk`` sends them, or form fields). With rotation on, the bot token
expires after ``token_lifetime_seconds`` and a refresh token, spent by one refresh, gets a new one.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from standins.slack.args import text_arg
from standins.slack.errors import SlackMethodError

DEFAULT_CLIENT_ID = "1111.2222"
DEFAULT_CLIENT_SECRET = "local-client-secret"  # noqa: S105 (accepted by the stand-in only)


def bot_user_id_for(team_id: str) -> str:
    """The id of the app's bot user in an installed workspace."""
    return "UB" + team_id.removeprefix("T")[:8]


@dataclass(frozen=True)
class InstalledTeam:
    """A workspace that installed the app, and its bot there."""

    team_id: str
    team_name: str
    bot_user_id: str
    bot_id: str
    installer: str


@dataclass
class _Token:
    team: InstalledTeam
    expires_at: float | None


class OAuthInstalls:
    """The app's OAuth side of Slack: codes, bot tokens per team, refresh tokens."""

    def __init__(
        self,
        *,
        app_id: str,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app_id = app_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime_seconds: int | None = 43_200  # Slack's 12 hours; None: no rotation
        self.scopes = "chat:write"
        self._wall_clock = clock
        self._offset = 0.0
        self._codes: dict[str, tuple[InstalledTeam, str | None]] = {}
        self._access: dict[str, _Token] = {}
        self._refresh: dict[str, InstalledTeam] = {}

    def _clock(self) -> float:
        return self._wall_clock() + self._offset

    def advance(self, seconds: float) -> None:
        """Let time pass for token lifetimes (tokens issued earlier may expire)."""
        self._offset += seconds

    def approve(
        self,
        team_id: str,
        *,
        team_name: str,
        installer: str = "U0INSTALLER",
        redirect_uri: str | None = None,
    ) -> str:
        """The installer pressed Allow: the one-time code for the redirect URL."""
        suffix = team_id.removeprefix("T")[:8]
        team = InstalledTeam(team_id, team_name, bot_user_id_for(team_id), f"BB{suffix}", installer)
        code = f"{int(self._clock())}.{secrets.token_hex(12)}"
        self._codes[code] = (team, redirect_uri)
        return code

    def team_of(self, token: str) -> InstalledTeam | None:
        """The workspace an issued access token belongs to (expired ones included)."""
        issued = self._access.get(token)
        return issued.team if issued else None

    def check_token(self, token: str) -> InstalledTeam | None:
        """The token's workspace; ``token_expired`` past its lifetime; None if not issued here."""
        issued = self._access.get(token)
        if issued is None:
            return None
        if issued.expires_at is not None and issued.expires_at <= self._clock():
            raise SlackMethodError("token_expired")
        return issued.team

    def access(self, args: dict[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
        """``oauth.v2.access``: a code for a first token, or a refresh token for the next."""
        self._check_client(args, headers)
        grant_type = text_arg(args, "grant_type") or "authorization_code"
        if grant_type == "refresh_token":
            team = self._refresh.pop(text_arg(args, "refresh_token") or "", None)
            if team is None:
                raise SlackMethodError("invalid_refresh_token")
            return self._grant(team)
        if grant_type != "authorization_code":
            raise SlackMethodError("invalid_grant_type")
        code = text_arg(args, "code")
        if code is None:
            raise SlackMethodError("invalid_code")
        pending = self._codes.pop(code, None)
        if pending is None:
            raise SlackMethodError("invalid_code")
        team, redirect_uri = pending
        if redirect_uri is not None and text_arg(args, "redirect_uri") != redirect_uri:
            raise SlackMethodError("bad_redirect_uri")
        return self._grant(team)

    def _check_client(self, args: dict[str, Any], headers: Mapping[str, str]) -> None:
        client_id, client_secret = text_arg(args, "client_id"), text_arg(args, "client_secret")
        raw = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme, _, encoded = raw.partition(" ")
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
            except ValueError:
                raise SlackMethodError("invalid_client_id") from None
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id:
            raise SlackMethodError("invalid_client_id")
        if client_secret != self.client_secret:
            raise SlackMethodError("bad_client_secret")

    def _grant(self, team: InstalledTeam) -> dict[str, Any]:
        lifetime = self.token_lifetime_seconds
        token = f"xoxb-{team.team_id}-{secrets.token_hex(10)}"
        if lifetime is not None:
            token = "xoxe." + token
        self._access[token] = _Token(team, None if lifetime is None else self._clock() + lifetime)
        reply: dict[str, Any] = {
            "ok": True,
            "app_id": self.app_id,
            "authed_user": {"id": team.installer},
            "scope": self.scopes,
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": team.bot_user_id,
            "team": {"id": team.team_id, "name": team.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        if lifetime is not None:
            refresh = f"xoxe-1-{secrets.token_hex(16)}"
            self._refresh[refresh] = team
            reply.update(refresh_token=refresh, expires_in=lifetime)
        return reply
