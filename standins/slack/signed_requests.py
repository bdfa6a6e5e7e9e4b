"""Deliver requests to the app over HTTP exactly as Slack sends and signs them.

Events API envelopes go as JSON; interactivity payloads as ``payload=<json>`` forms; slash
commands as plain forms. Each carries ``X-Slack-Request-Timestamp`` and a v0 ``X-Slack-Signature``.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

from slack_sdk.signature import SignatureVerifier

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
DEFAULT_RESPONSE_URL_BASE = "https://hooks.slack.com/actions/"
LEGACY_VERIFICATION_TOKEN = "legacy-verification-token"  # noqa: S105 (deprecated, unused field)


@dataclass(frozen=True)
class DeliveryResult:
    """The app's HTTP answer."""

    status: int
    body: str
    headers: Mapping[str, str]

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclass(frozen=True)
class SentMessage:
    """A delivered ``message`` event: the answer, and the ids it used."""

    result: DeliveryResult
    ts: str
    event_id: str
    event: dict[str, Any]


class SlackRequestSender:
    """Sign and POST Slack requests to one app URL (e.g. ``http://127.0.0.1:3000/slack/events``)."""

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        *,
        team_id: str = "T0OURS",
        team_domain: str = "oursupport",
        api_app_id: str = "A0APP",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        response_url_base: str = DEFAULT_RESPONSE_URL_BASE,
        clock: Callable[[], float] = time.time,
        timeout: float = 10.0,
    ) -> None:
        if urlsplit(app_url).scheme not in ("http", "https"):
            raise ValueError(f"app_url must be an http(s) URL: {app_url!r}")
        self.app_url = app_url
        self.team_id = team_id
        self.team_domain = team_domain
        self.api_app_id = api_app_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.response_url_base = response_url_base
        self._verifier = SignatureVerifier(signing_secret)
        self._clock = clock
        self._timeout = timeout
        self._counter = itertools.count(1)
        self._last_ts_micros = 0

    # -- delivery ----------------------------------------------------------------------------

    def raw(
        self,
        body: bytes,
        *,
        content_type: str,
        timestamp: str | None = None,
        signature: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> DeliveryResult:
        """POST ``body`` signed for ``timestamp`` (default now), or with ``signature`` as given."""
        timestamp = timestamp if timestamp is not None else str(int(self._clock()))
        if signature is None:
            signature = self._verifier.generate_signature(timestamp=timestamp, body=body) or ""
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(headers or {}),
        }
        request = Request(self.app_url, data=body, headers=all_headers, method="POST")  # noqa: S310
        try:
            with urlopen(request, timeout=self._timeout) as response:  # noqa: S310 (http(s) only)
                return DeliveryResult(
                    response.status, response.read().decode("utf-8"), dict(response.headers)
                )
        except HTTPError as error:
            with error:
                return DeliveryResult(
                    error.code, error.read().decode("utf-8", "replace"), dict(error.headers)
                )

    def _json(
        self, payload: dict[str, Any], headers: Mapping[str, str] | None = None
    ) -> DeliveryResult:
        return self.raw(json.dumps(payload).encode(), content_type=JSON_TYPE, headers=headers)

    def _form(self, fields: Mapping[str, str]) -> DeliveryResult:
        return self.raw(urlencode(fields).encode(), content_type=FORM_TYPE)

    # -- identifiers -------------------------------------------------------------------------

    def new_ts(self) -> str:
        """A message timestamp from the clock, later than the previous one."""
        micros = max(int(self._clock() * 1_000_000), self._last_ts_micros + 1)
        self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def new_event_id(self) -> str:
        """A unique ``Ev...`` id."""
        return "Ev" + uuid.uuid4().hex[:10].upper()

    def new_trigger_id(self) -> str:
        """A trigger id in Slack's ``<seconds>.<digits>.<hex>`` form."""
        return f"{int(self._clock())}.{secrets.randbelow(10**12):012d}.{secrets.token_hex(16)}"

    def new_response_url(self) -> str:
        """A unique ``response_url`` under :attr:`response_url_base`."""
        return (
            f"{self.response_url_base}{self.team_id}/{next(self._counter)}/{secrets.token_hex(12)}"
        )

    # -- Events API --------------------------------------------------------------------------

    def url_verification(self, challenge: str) -> DeliveryResult:
        """Slack's ``url_verification`` handshake."""
        return self._json(
            {"token": LEGACY_VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        )

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        event_time: int | None = None,
        team_id: str | None = None,
        authorizations: Sequence[dict[str, Any]] | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        is_ext_shared_channel: bool = False,
    ) -> DeliveryResult:
        """POST an ``event_callback`` envelope (``retry_num`` marks it as Slack's retry)."""
        team = team_id or self.team_id
        envelope = {
            "token": LEGACY_VERIFICATION_TOKEN,
            "team_id": team,
            "context_team_id": team,
            "context_enterprise_id": None,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or self.new_event_id(),
            "event_time": event_time if event_time is not None else int(self._clock()),
            "authorizations": list(authorizations)
            if authorizations is not None
            else [
                {
                    "enterprise_id": None,
                    "team_id": team,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": is_ext_shared_channel,
            "event_context": "4-" + secrets.token_urlsafe(24),
        }
        headers: dict[str, str] = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self._json(envelope, headers)

    def message(
        self,
        channel: str,
        user: str,
        text: str,
        *,
        user_team: str,
        ts: str | None = None,
        thread_ts: str | None = None,
        subtype: str | None = None,
        bot_id: str | None = None,
        extra: Mapping[str, Any] | None = None,
        event_id: str | None = None,
        is_ext_shared_channel: bool = True,
        retry_num: int | None = None,
    ) -> SentMessage:
        """Deliver a ``message`` event as a Slack Connect channel carries it."""
        ts = ts or self.new_ts()
        event_id = event_id or self.new_event_id()
        event: dict[str, Any] = {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "channel",
            "team": user_team,
            "user_team": user_team,
            "source_team": user_team,
            "blocks": [_rich_text(text)],
        }
        if bot_id is None and subtype is None:
            event["client_msg_id"] = str(uuid.uuid4())
        if thread_ts:
            event["thread_ts"] = thread_ts
        if subtype:
            event["subtype"] = subtype
        if bot_id:
            event["bot_id"] = bot_id
        event.update(extra or {})
        result = self.event(
            event,
            event_id=event_id,
            retry_num=retry_num,
            is_ext_shared_channel=is_ext_shared_channel,
        )
        return SentMessage(result=result, ts=ts, event_id=event_id, event=event)

    # -- interactivity and commands ---------------------------------------------------------

    def _team(self) -> dict[str, Any]:
        return {"id": self.team_id, "domain": self.team_domain}

    def _user(self, user: str, user_team: str) -> dict[str, Any]:
        return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": user_team}

    def block_action(
        self,
        *,
        user: str,
        user_team: str,
        action_id: str,
        value: str | None = None,
        block_id: str | None = None,
        channel: str | None = None,
        message_ts: str | None = None,
        container: dict[str, Any] | None = None,
        trigger_id: str | None = None,
        view: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        action_type: str = "button",
        extra_actions: Sequence[dict[str, Any]] = (),
        response_url: str | None = None,
        selected_option: dict[str, Any] | None = None,
    ) -> DeliveryResult:
        """POST a ``block_actions`` payload (a button click by default; a select's choice with
        ``action_type="static_select"`` and ``selected_option``)."""
        action: dict[str, Any] = {
            "type": action_type,
            "action_id": action_id,
            "block_id": block_id or secrets.token_urlsafe(4),
            "action_ts": f"{self._clock():.6f}",
        }
        if action_type == "button":
            action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
        if value is not None:
            action["value"] = value
        if selected_option is not None:
            action["selected_option"] = selected_option
        if container is None:
            if view is not None:
                container = {"type": "view", "view_id": view.get("id", "")}
            else:
                container = {
                    "type": "message",
                    "message_ts": message_ts,
                    "channel_id": channel,
                    "is_ephemeral": False,
                }
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user(user, user_team),
            "api_app_id": self.api_app_id,
            "token": LEGACY_VERIFICATION_TOKEN,
            "container": container,
            "trigger_id": trigger_id or self.new_trigger_id(),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "state": {"values": {}},
            "response_url": response_url or self.new_response_url(),
            "actions": [action, *extra_actions],
        }
        if channel is not None:
            payload["channel"] = {"id": channel, "name": channel.lower()}
        if message is not None or message_ts is not None:
            payload["message"] = message or {"type": "message", "ts": message_ts, "text": ""}
        if view is not None:
            payload["view"] = view
            payload.pop("response_url")
        return self._form({"payload": json.dumps(payload)})

    def view_submission(
        self,
        *,
        user: str,
        user_team: str,
        callback_id: str,
        values: dict[str, Any],
        private_metadata: str = "",
        view_id: str | None = None,
        blocks: Sequence[dict[str, Any]] = (),
        trigger_id: str | None = None,
    ) -> DeliveryResult:
        """POST a ``view_submission`` payload with ``values`` as ``view.state.values``."""
        view_id = view_id or f"V0{secrets.randbelow(10**9):09d}"
        view = {
            "id": view_id,
            "team_id": self.team_id,
            "type": "modal",
            "blocks": list(blocks),
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": values},
            "hash": f"{int(self._clock())}.{secrets.token_hex(4)}",
            "title": {"type": "plain_text", "text": "Modal", "emoji": True},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.api_app_id,
            "external_id": "",
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        payload = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user(user, user_team),
            "api_app_id": self.api_app_id,
            "token": LEGACY_VERIFICATION_TOKEN,
            "trigger_id": trigger_id or self.new_trigger_id(),
            "view": view,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._form({"payload": json.dumps(payload)})

    def slash_command(
        self,
        command: str,
        text: str,
        *,
        user: str,
        user_team: str,
        channel: str,
        channel_name: str | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
    ) -> DeliveryResult:
        """POST a slash command form as Slack does."""
        return self._form(
            {
                "token": LEGACY_VERIFICATION_TOKEN,
                "team_id": user_team,
                "team_domain": self.team_domain,
                "channel_id": channel,
                "channel_name": channel_name or channel.lower(),
                "user_id": user,
                "user_name": user.lower(),
                "command": command,
                "text": text,
                "api_app_id": self.api_app_id,
                "is_enterprise_install": "false",
                "response_url": response_url or self.new_response_url(),
                "trigger_id": trigger_id or self.new_trigger_id(),
            }
        )


def _rich_text(text: str) -> dict[str, Any]:
    """The ``rich_text`` block Slack adds to a message typed in the client."""
    return {
        "type": "rich_text",
        "block_id": secrets.token_urlsafe(4),
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
    }
