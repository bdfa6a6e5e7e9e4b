"""What the local CRM stand-ins share: a ``LocalHttpServer`` on a free port, the record of every
request, the Bearer-token check, and fault modes (``"error_500"``: HTTP 500; ``"hang"``: no answer
until ``hang_seconds`` pass or the server stops)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, Self, get_args

from app.sandbox.standin_http import HttpReply, HttpRequest, LocalHttpServer

Mode = Literal["ok", "error_500", "hang"]
MODES: tuple[Mode, ...] = get_args(Mode)


@dataclass(frozen=True)
class Recorded:
    verb: str
    path: str
    query: str
    headers: dict[str, str]
    raw: bytes

    @property
    def body(self) -> Any:
        try:
            return json.loads(self.raw)
        except ValueError:
            return None

    def header(self, name: str) -> str | None:
        return {k.lower(): v for k, v in self.headers.items()}.get(name.lower())


def json_reply(status: int, body: Any) -> HttpReply:
    return HttpReply(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


class VendorStandin:
    """Subclasses answer ``route`` for authenticated requests and shape ``unauthorized`` and
    ``server_error`` the way their API does."""

    name = "vendor"

    def __init__(self, *, token: str, mode: Mode = "ok", hang_seconds: float = 30.0) -> None:
        self.token = token
        self.mode: Mode = mode
        self.hang_seconds = hang_seconds
        self.lock = threading.Lock()
        self._requests: list[Recorded] = []
        self._released = threading.Event()
        self._server: LocalHttpServer | None = None

    def start(self) -> Self:
        if self._server is None:
            self._released.clear()
            self._server = LocalHttpServer(self._dispatch)
        return self

    def stop(self) -> None:
        """Stop serving; requests left hanging are released first."""
        if self._server is not None:
            self._released.set()
            self._server.close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"the {self.name} stand-in is not running")
        return self._server.base_url

    @property
    def requests(self) -> list[Recorded]:
        with self.lock:
            return list(self._requests)

    def _dispatch(self, request: HttpRequest) -> HttpReply:
        record = Recorded(request.verb, request.path, request.query, request.headers, request.body)
        with self.lock:
            self._requests.append(record)
            mode = self.mode
        if record.header("Authorization") != f"Bearer {self.token}":
            return self.unauthorized()
        if mode == "hang":
            self._released.wait(self.hang_seconds)
            return self.server_error()
        if mode == "error_500":
            return self.server_error()
        return self.route(record)

    def route(self, request: Recorded) -> HttpReply:
        raise NotImplementedError

    def unauthorized(self) -> HttpReply:
        raise NotImplementedError

    def server_error(self) -> HttpReply:
        raise NotImplementedError
