"""``escalation-bot sandbox``: one page that looks enough like Slack to use, and its JSON API.

The page (``sandbox/web/``) is plain HTML, CSS and JavaScript served from the package: no
build step and nothing fetched from the network. Every action goes to the real app's
``/slack/events`` endpoint as Slack would send it (see :mod:`sandbox.actions`).
"""

from __future__ import annotations

import contextlib
import json
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import parse_qs

from app.config import Settings
from app.errors import StartupError
from app.web.threaded_server import BackgroundServer
from app.web.wsgi import WsgiApp
from sandbox.actions import Sandbox, SandboxError, manifest_commands
from sandbox.feed import (
    FILES_PATH,
    channel_feed,
    home_view,
    modal_view,
    sidebar,
    thread_feed,
)
from sandbox.scenarios import ScenarioPlayer
from standins.local_slack import LocalSlack

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment


WEB_FOLDER = Path(__file__).with_name("web")
MANIFEST = Path(__file__).resolve().parents[1] / "manifest.yml"  # at the checkout's root
STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/sandbox.js": ("sandbox.js", "text/javascript; charset=utf-8"),
    "/sandbox.css": ("sandbox.css", "text/css; charset=utf-8"),
}
MAX_BODY_BYTES = 64 * 1024

Json = dict[str, Any]
Handler = Callable[[Json], Any]


class _BadRequestError(Exception):
    pass


def _text(params: Json, name: str, *, required: bool = True) -> str:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise _BadRequestError(f"{name} is required")
        return ""
    if not isinstance(value, str):
        raise _BadRequestError(f"{name} must be a string")
    return value


def create_sandbox_app(sandbox: Sandbox, player: ScenarioPlayer) -> WsgiApp:
    """The page, its static files and the JSON API over ``sandbox``."""

    def post_message(p: Json) -> Json:
        sandbox.post(
            user=_text(p, "user"),
            channel=_text(p, "channel"),
            text=_text(p, "text", required=False),
            thread_ts=_text(p, "thread_ts", required=False) or None,
        )
        return {"ok": True}

    def click(p: Json) -> Json:
        selected = p.get("selected_option")
        sandbox.click(
            user=_text(p, "user"),
            action_id=_text(p, "action_id"),
            block_id=_text(p, "block_id", required=False),
            value=_text(p, "value", required=False) or None,
            selected_option=selected if isinstance(selected, dict) else None,
            channel=_text(p, "channel", required=False) or None,
            message_ts=_text(p, "message_ts", required=False) or None,
            view_id=_text(p, "view_id", required=False) or None,
        )
        return {"ok": True}

    def submit(p: Json) -> Json:
        values = p.get("values")
        if not isinstance(values, dict):
            raise _BadRequestError("values must be an object")
        user = _text(p, "user")
        errors = sandbox.submit_view(user=user, view_id=_text(p, "view_id"), values=values)
        return {"ok": not errors, "errors": errors}

    def close(p: Json) -> Json:
        sandbox.close_view(_text(p, "view_id"))
        return {"ok": True}

    def open_home(p: Json) -> Json:
        sandbox.open_home(_text(p, "user"))
        return {"ok": True}

    def start_scenario(p: Json) -> Json:
        player.start(_text(p, "id"))
        return player.status()

    gets: dict[str, Handler] = {
        "/api/sidebar": lambda q: {**sidebar(sandbox), "scenarios": player.menu()},
        "/api/channel": lambda q: channel_feed(sandbox, _text(q, "channel"), _text(q, "user")),
        "/api/thread": lambda q: thread_feed(
            sandbox, _text(q, "channel"), _text(q, "ts"), _text(q, "user")
        ),
        "/api/home": lambda q: home_view(sandbox, _text(q, "user")),
        "/api/modal": lambda q: {"modal": modal_view(sandbox, _text(q, "user"))},
        "/api/scenario": lambda q: player.status(),
    }
    posts: dict[str, Handler] = {
        "/api/post": post_message,
        "/api/click": click,
        "/api/submit": submit,
        "/api/close": close,
        "/api/home": open_home,
        "/api/scenario": start_scenario,
    }

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            if method == "GET" and path in STATIC:
                name, content_type = STATIC[path]
                return _send(
                    start_response, "200 OK", (WEB_FOLDER / name).read_bytes(), content_type
                )
            if method == "GET" and path.startswith(FILES_PATH):
                return _file(start_response, path[len(FILES_PATH) :])
            if method == "GET" and path in gets:
                query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
                return _json(start_response, "200 OK", gets[path](query))
            if method == "POST" and path in posts:
                return _json(start_response, "200 OK", posts[path](_body(environ)))
            return _json(start_response, "404 Not Found", {"ok": False, "error": "not found"})
        except (SandboxError, _BadRequestError) as exc:
            return _json(start_response, "400 Bad Request", {"ok": False, "error": str(exc)})

    def _file(start_response: StartResponse, file_id: str) -> Iterable[bytes]:
        data = sandbox.standin.file_content(file_id)
        if data is None:
            return _json(start_response, "404 Not Found", {"ok": False, "error": "no such file"})
        kind = "image/png" if data.startswith(b"\x89PNG") else "application/octet-stream"
        return _send(start_response, "200 OK", data, kind)

    return application


def _body(environ: WSGIEnvironment) -> Json:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if length < 0 or length > MAX_BODY_BYTES:
        raise _BadRequestError("the request body is missing or too large")
    try:
        parsed = json.loads(environ["wsgi.input"].read(length) or b"{}")
    except ValueError:
        raise _BadRequestError("the request body is not JSON") from None
    if not isinstance(parsed, dict):
        raise _BadRequestError("the request body must be a JSON object")
    return parsed


def _send(
    start_response: StartResponse, status: str, body: bytes, content_type: str
) -> Iterable[bytes]:
    start_response(
        status,
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [body]


def _json(start_response: StartResponse, status: str, payload: Any) -> Iterable[bytes]:
    return _send(
        start_response, status, json.dumps(payload).encode(), "application/json; charset=utf-8"
    )


class SandboxServer:
    """The real app against the Slack stand-in, and the sandbox page in front of it."""

    def __init__(
        self,
        *,
        database_url: str,
        config_path: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        pause: float = 1.5,
    ) -> None:
        self.local = LocalSlack(
            database_url=database_url,
            config_path=config_path,
            openai_api_key=None,
            linear_api_key=None,
        )
        self._host, self._port, self._pause = host, port, pause
        self.sandbox: Sandbox | None = None
        self.player: ScenarioPlayer | None = None
        self._server: BackgroundServer | None = None
        self._app: WsgiApp | None = None

    def start(self) -> SandboxServer:
        try:  # take the port first: a busy one is refused before anything starts
            server = BackgroundServer(self._serve, host=self._host, port=self._port)
        except OSError as exc:
            raise StartupError(
                f"cannot serve the sandbox on {self._host}:{self._port} ({exc.strerror}); "
                "choose another port with --port or PORT"
            ) from None
        self.local.start()
        self.sandbox = Sandbox(self.local, commands=manifest_commands(MANIFEST))
        self.player = ScenarioPlayer(self.sandbox, pause=self._pause)
        self._app = create_sandbox_app(self.sandbox, self.player)
        self._server = server.start()
        return self

    def _serve(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        assert self._app is not None, "the sandbox serves once it has started"
        return self._app(environ, start_response)

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        self.local.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        return self._server.url + "/"

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def run_sandbox(settings: Settings, *, port: int, host: str, out: TextIO) -> int:
    """Serve the sandbox until interrupted; prints the URL to open."""
    with tempfile.TemporaryDirectory(prefix="escalation-sandbox-") as folder:
        database_url = f"sqlite:///{Path(folder) / 'sandbox.db'}"
        server = SandboxServer(
            database_url=database_url,
            config_path=settings.escalation_config,
            host=host,
            port=port,
        )
        with server:
            out.write(
                "Sandbox: the real app against a local Slack stand-in, SQLite and the offline "
                f"triage.\nOpen {server.url} in a browser (Ctrl-C stops it).\n"
            )
            out.flush()
            stopped = threading.Event()
            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGTERM, lambda _signum, _frame: stopped.set())
            with contextlib.suppress(KeyboardInterrupt):
                stopped.wait()
            out.write("Stopping the sandbox.\n")
    return 0
