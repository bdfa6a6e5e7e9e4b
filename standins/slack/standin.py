"""A strict local stand-in for the Slack Web API, for tests and the demo.

``WebClient(token="xoxb-test-token", base_url=standin.url)`` talks to it as it would to Slack:
unknown method names, missing arguments, invalid Block Kit, absent channels and posting too fast
get the errors Slack gives. Every call is recorded for assertions.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar

from standins.http_server import HttpReply, HttpRequest, LocalHttpServer
from standins.slack.args import decode_json_args, parse_request, text_arg
from standins.slack.errors import SlackMethodError
from standins.slack.files import UPLOAD_PATH_PREFIX, file_store, receive_upload
from standins.slack.methods import check_required, implemented_method, known_method_names
from standins.slack.oauth import InstalledTeam, OAuthInstalls
from standins.slack.ratelimit import PerKeyRateLimiter
from standins.slack.stalls import Stall
from standins.slack.validation import MAX_MESSAGE_BLOCKS, block_errors
from standins.slack.workspace import Channel, User, Workspace, is_ts

T = TypeVar("T")

API_PREFIX = "/api/"
RESPONSE_URL_PREFIX = "/actions/"
RESPONSE_URL_MAX_USES = 5
TEST_BOT_TOKEN = "xoxb-test-token"  # noqa: S105 (a fake token, accepted only here)
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
OAUTH_ACCESS = "oauth.v2.access"


def _installed_auth_test(team: InstalledTeam) -> dict[str, Any]:
    """``auth.test`` for a token issued through OAuth: that workspace and its bot."""
    return {
        "ok": True,
        "url": f"https://{team.team_id.lower()}.slack.com/",
        "team": team.team_name,
        "user": "escalation-bot",
        "team_id": team.team_id,
        "user_id": team.bot_user_id,
        "bot_id": team.bot_id,
        "is_enterprise_install": False,
    }


@dataclass(frozen=True)
class RecordedCall:
    """One Web API call: method, parsed arguments (no token), HTTP status, body, clock time."""

    method: str
    args: dict[str, Any]
    status: int
    response: dict[str, Any]
    time: float
    team_id: str | None = None  # the workspace whose token made the call (None: no token)

    @property
    def ok(self) -> bool:
        """Whether Slack would have said ``ok: true``."""
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        """The error code, if the call failed."""
        error = self.response.get("error")
        return error if isinstance(error, str) else None


@dataclass(frozen=True)
class ResponseUrlPost:
    """One POST to a ``response_url`` (what ``respond()`` sends)."""

    path: str
    payload: dict[str, Any]
    status: int
    time: float


@dataclass
class _Fault:
    status: int
    error: str | None
    remaining: int
    channel: str | None = None
    retry_after: int = 1


class SlackStandin:
    """A local Slack Web API with a workspace model, strict checks and a call record."""

    def __init__(
        self,
        *,
        bot_token: str | Iterable[str] = TEST_BOT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        post_message_per_channel_per_second: float | None = 1.0,
        workspace: Workspace | None = None,
    ) -> None:
        accepted = [bot_token] if isinstance(bot_token, str) else list(bot_token)
        if not accepted:
            raise ValueError("at least one bot token is needed")
        self.bot_token = accepted[0]
        self.tokens = frozenset(accepted)
        self.workspace = workspace or Workspace()
        self.oauth = OAuthInstalls(app_id=self.workspace.app_id)
        self._host, self._port = host, port
        self._clock = clock
        self._post_limiter = PerKeyRateLimiter(post_message_per_channel_per_second, clock)
        self._lock = threading.RLock()
        self._server: LocalHttpServer | None = None
        self._calls: list[RecordedCall] = []
        self._response_posts: list[ResponseUrlPost] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._stalls: list[Stall] = []
        self._unimplemented: list[str] = []

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        """Start serving on a local port."""
        if self._server is None:
            self._server = LocalHttpServer(self._dispatch, host=self._host, port=self._port)
            with self._lock:
                file_store(self.workspace).upload_base_url = self.base_url + UPLOAD_PATH_PREFIX
        return self

    def stop(self) -> None:
        """Stop serving (held requests are let go first)."""
        with self._lock:
            stalls, self._stalls = self._stalls, []
        for stall in stalls:
            stall.release()
        if self._server is not None:
            self._server.close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` while running."""
        if self._server is None:
            raise RuntimeError("the Slack stand-in is not running; call start() first")
        return self._server.base_url

    @property
    def url(self) -> str:
        """The Web API base URL (ends in ``/api/``), for ``WebClient(base_url=...)``."""
        return self.base_url + API_PREFIX

    @property
    def response_url_base(self) -> str:
        """Prefix for ``response_url`` values that this stand-in receives and records."""
        return self.base_url + RESPONSE_URL_PREFIX

    # -- workspace set-up --------------------------------------------------------------------

    def add_channel(
        self, channel_id: str, name: str, *, is_ext_shared: bool = False, bot_is_member: bool = True
    ) -> None:
        """Add (or replace) a public channel."""
        with self._lock:
            self.workspace.channels[channel_id] = Channel(
                channel_id, name, is_ext_shared=is_ext_shared, bot_is_member=bot_is_member
            )

    def remove_bot_from_channel(self, channel_id: str) -> None:
        """The bot leaves: posts then fail with ``not_in_channel``."""
        with self._lock:
            self.workspace.channel(channel_id).bot_is_member = False

    def archive_channel(self, channel_id: str) -> None:
        """Archive a channel: posts then fail with ``is_archived``."""
        with self._lock:
            self.workspace.channel(channel_id).is_archived = True

    def add_user(
        self,
        user_id: str,
        *,
        team_id: str,
        name: str,
        real_name: str | None = None,
        email: str | None = None,
        is_bot: bool = False,
    ) -> None:
        """Add (or replace) a user that ``users.info`` knows."""
        with self._lock:
            self.workspace.users[user_id] = User(
                user_id, team_id=team_id, name=name, real_name=real_name, email=email, is_bot=is_bot
            )

    def add_message(
        self,
        channel_id: str,
        *,
        user: str,
        text: str,
        ts: str | None = None,
        thread_ts: str | None = None,
        team: str | None = None,
        **fields: Any,
    ) -> str:
        """Store a message someone else posted (e.g. a customer's); returns its ``ts``."""
        with self._lock:
            ws = self.workspace
            channel = ws.channel(channel_id)
            if ts is None:
                ts = ws.next_ts()
            elif not is_ts(ts):
                raise ValueError(f"not a Slack timestamp: {ts!r}")
            ws.note_ts(ts)
            known = ws.users.get(user)
            message = {
                "type": "message",
                "user": user,
                "text": text,
                "ts": ts,
                "team": team or (known.team_id if known else ws.team_id),
                **fields,
            }
            if thread_ts:
                message["thread_ts"] = thread_ts
            ws.store_message(channel.id, message)
            return ts

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        error: str | None = None,
        times: int = 1,
        channel: str | None = None,
        retry_after: int = 1,
    ) -> None:
        """Fail the next ``times`` calls of ``method`` (only those for ``channel``, if given):
        HTTP ``status``, or HTTP 200 with ``error``; a 429 carries ``Retry-After: retry_after``."""
        if method not in known_method_names():
            raise ValueError(f"not a Slack Web API method: {method!r}")
        if status == 200 and not error:
            raise ValueError("a failure with HTTP 200 needs an error code")
        with self._lock:
            self._faults.setdefault(method, []).append(
                _Fault(status, error, times, channel, retry_after)
            )

    def stall_next(self, method: str, *, channel: str | None = None, accept: bool = True) -> Stall:
        """Hold the next successful call of ``method`` (for ``channel``, if given) until the
        returned stall is released: with ``accept``, Slack has done the call (a post is
        stored) but the response waits; without, the request waits before Slack sees it and
        is then dropped (the client gets HTTP 502 and nothing is stored)."""
        if method not in known_method_names():
            raise ValueError(f"not a Slack Web API method: {method!r}")
        stall = Stall(method, channel, accept)
        with self._lock:
            self._stalls.append(stall)
        return stall

    # -- record ------------------------------------------------------------------------------

    @property
    def calls(self) -> list[RecordedCall]:
        """Every Web API call so far, oldest first."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[RecordedCall]:
        """The calls of one method, oldest first."""
        with self._lock:
            return [c for c in self._calls if c.method == method]

    @property
    def unimplemented_calls(self) -> list[str]:
        """Valid method names called that this stand-in does not implement."""
        with self._lock:
            return list(self._unimplemented)

    def messages_in(self, channel_id: str, thread_ts: str | None = None) -> list[dict[str, Any]]:
        """Channel-level messages, or a thread's replies when ``thread_ts`` is given."""
        with self._lock:
            ws = self.workspace
            found = ws.replies(channel_id, thread_ts) if thread_ts else ws.top_level(channel_id)
            return copy.deepcopy(found)

    def ephemerals_for(self, user_id: str) -> list[dict[str, Any]]:
        """Ephemeral messages shown to one user, oldest first."""
        with self._lock:
            return copy.deepcopy(self.workspace.ephemerals.get(user_id, []))

    def find_message(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        """A stored message (top-level or reply) by channel and ``ts``."""
        with self._lock:
            found = self.workspace.find_message(channel_id, ts)
            return copy.deepcopy(found) if found is not None else None

    def view(self, view_id: str) -> dict[str, Any] | None:
        """A modal or App Home view as last stored."""
        with self._lock:
            return copy.deepcopy(self.workspace.views.get(view_id))

    def next_ts(self) -> str:
        """A fresh message timestamp, later than every message stored so far."""
        with self._lock:
            return self.workspace.next_ts()

    def published_home(self, user_id: str) -> dict[str, Any] | None:
        """The App Home view last published for a user."""
        with self._lock:
            return copy.deepcopy(self.workspace.home_views.get(user_id))

    def opened_views(self) -> list[dict[str, Any]]:
        """Modals opened or pushed, oldest first (as last updated)."""
        with self._lock:
            ws = self.workspace
            return [copy.deepcopy(ws.views.get(v["id"], v)) for v in ws.opened_views]

    def file_content(self, file_id: str) -> bytes | None:
        """The bytes POSTed to a file's upload URL, if they arrived."""
        with self._lock:
            stored = file_store(self.workspace).files.get(file_id)
            return stored.data if stored is not None else None

    def response_url_posts(self) -> list[ResponseUrlPost]:
        """Posts to ``response_url`` values under :attr:`response_url_base`."""
        with self._lock:
            return list(self._response_posts)

    def wait_for(
        self, predicate: Callable[[], T], timeout: float = 20.0, *, interval: float = 0.01
    ) -> T:
        """Poll ``predicate`` until it returns something truthy; return that value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met within {timeout} s")
            time.sleep(interval)

    # -- serving -----------------------------------------------------------------------------

    def _dispatch(self, request: HttpRequest) -> HttpReply:
        if request.path.startswith(API_PREFIX):
            method = request.path[len(API_PREFIX) :]
            with self._lock:
                stall = self._stall_for(method, request, accept=False)
            if stall is not None:
                stall.hold()
                return HttpReply(502, b"bad gateway", {"Content-Type": "text/plain"})
            with self._lock:
                reply = self._call_api(method, request)
                stall = (
                    self._stall_for(method, request, accept=True) if reply.status == 200 else None
                )
                if stall is not None and not json.loads(reply.body).get("ok"):
                    self._stalls.append(stall)  # not accepted: hold the next one instead
                    stall = None
            if stall is not None:
                stall.hold()  # outside the lock: other calls go on
            return reply
        if request.path.startswith(RESPONSE_URL_PREFIX) and request.verb == "POST":
            with self._lock:
                return self._post_response_url(request)
        if request.path.startswith(UPLOAD_PATH_PREFIX) and request.verb == "POST":
            with self._lock:
                file_id = request.path[len(UPLOAD_PATH_PREFIX) :]
                return receive_upload(self.workspace, file_id, request.body)
        return HttpReply(404, b"not found", {"Content-Type": "text/plain"})

    def _call_api(self, method: str, request: HttpRequest) -> HttpReply:
        args: dict[str, Any] = {}
        team_id: str | None = None
        headers: dict[str, str] = {}
        try:
            if method not in known_method_names():
                raise SlackMethodError("unknown_method", extra={"req_method": method})
            parsed = parse_request(
                query=request.query,
                headers=request.headers,
                body=request.body,
                is_post=request.verb == "POST",
            )
            args = parsed.args
            self._raise_injected_fault(method, args)
            if method == OAUTH_ACCESS:  # authenticated by the client id and secret instead
                status, body = 200, self.oauth.access(args, request.headers)
            else:
                installed = self._authenticate(parsed.token)
                team_id = installed.team_id if installed else self.workspace.team_id
                status, body = 200, self._run_method(method, args, installed)
        except SlackMethodError as exc:
            status, body, headers = exc.status, exc.body(), exc.headers
        self._calls.append(
            RecordedCall(
                method, copy.deepcopy(args), status, copy.deepcopy(body), self._clock(), team_id
            )
        )
        return HttpReply(status, json.dumps(body).encode(), {**JSON_HEADERS, **headers})

    def _stall_for(self, method: str, request: HttpRequest, *, accept: bool) -> Stall | None:
        """The first waiting stall for this call, taken off the list."""
        if not self._stalls:
            return None
        try:
            args = parse_request(
                query=request.query,
                headers=request.headers,
                body=request.body,
                is_post=request.verb == "POST",
            ).args
        except SlackMethodError:
            return None
        channel = text_arg(args, "channel")
        stall = next(
            (s for s in self._stalls if s.accept == accept and s.matches(method, channel)), None
        )
        if stall is not None:
            self._stalls.remove(stall)
        return stall

    def _authenticate(self, token: str | None) -> InstalledTeam | None:
        """The installed workspace a token belongs to (None for the configured bot tokens)."""
        if token is None:
            raise SlackMethodError("not_authed")
        installed = self.oauth.check_token(token)
        if installed is None and token not in self.tokens:
            raise SlackMethodError("invalid_auth")
        return installed

    def _run_method(
        self, method: str, args: dict[str, Any], installed: InstalledTeam | None
    ) -> dict[str, Any]:
        decode_json_args(args)
        spec = implemented_method(method)
        if spec is None:
            self._unimplemented.append(method)
            raise SlackMethodError("standin_not_implemented", extra={"req_method": method})
        check_required(spec, args)
        self._check_rate_limit(method, args)
        if method == "auth.test" and installed is not None:
            return _installed_auth_test(installed)
        return spec.handler(self.workspace, args)

    def _raise_injected_fault(self, method: str, args: dict[str, Any]) -> None:
        queue = self._faults.get(method)
        channel = text_arg(args, "channel")
        fault = next((f for f in queue or [] if f.channel in (None, channel)), None)
        if queue is None or fault is None:
            return
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.remove(fault)
        headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
        default_error = "ratelimited" if fault.status == 429 else "fatal_error"
        raise SlackMethodError(fault.error or default_error, status=fault.status, headers=headers)

    def _check_rate_limit(self, method: str, args: dict[str, Any]) -> None:
        if method != "chat.postMessage":
            return
        retry_after = self._post_limiter.retry_after(text_arg(args, "channel") or "")
        if retry_after is not None:
            raise SlackMethodError(
                "ratelimited", status=429, headers={"Retry-After": str(retry_after)}
            )

    def _post_response_url(self, request: HttpRequest) -> HttpReply:
        uses = sum(1 for p in self._response_posts if p.path == request.path and p.status == 200)
        try:
            payload = json.loads(request.body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError):
            payload = None
        if uses >= RESPONSE_URL_MAX_USES:
            status, reply = 404, {"ok": False, "error": "used_url"}
        elif not isinstance(payload, dict):
            status, reply = 400, {"ok": False, "error": "invalid_payload"}
        elif isinstance(payload.get("blocks"), list) and block_errors(
            payload["blocks"], max_blocks=MAX_MESSAGE_BLOCKS
        ):
            status, reply = 400, {"ok": False, "error": "invalid_blocks"}
        else:
            status, reply = 200, {"ok": True}
        self._response_posts.append(
            ResponseUrlPost(
                request.path, payload if isinstance(payload, dict) else {}, status, self._clock()
            )
        )
        return HttpReply(status, json.dumps(reply).encode(), dict(JSON_HEADERS))
