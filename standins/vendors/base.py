"""What the local vendor API stand-ins (CRMs and trackers) share: a ``LocalHttpServer`` on a free
port, the record of every request, the Bearer-token check, and fault modes (``"error_500"``: HTTP
500; ``"bad_request"``: HTTP 400; ``"hang"``: no answer until ``hang_seconds`` pass or the server
stops)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, Self, get_args

from standins.http_server import HttpReply, HttpRequest, LocalHttpServer

Mode = Literal["ok", "error_500", "hang", "bad_request"]
MODES: tuple[Mode, ...] = get_args(Mode)


@dataclass(frozen=True)
class Recorded:
    verb: str
    path: str
    query: str
    headers: dict[str, str]
    raw: bytes

    @property
    def method(self) -> str:
        return self.verb

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
    """Subclasses answer ``route`` for authorized requests and shape ``unauthorized``,
    ``server_error`` and ``bad_request`` the way their API does."""

    name = "vendor"

    def __init__(
        self, *, token: str | None = None, mode: Mode = "ok", hang_seconds: float = 30.0
    ) -> None:
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
            self._server = LocalHttpServer(self._dispatch, name=self.name)
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
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"the {self.name} stand-in is not running")
        return self._server.base_url

    @property
    def url(self) -> str:
        """The base URL a client is configured with."""
        return self.base_url

    @property
    def requests(self) -> list[Recorded]:
        with self.lock:
            return list(self._requests)

    def _dispatch(self, request: HttpRequest) -> HttpReply:
        record = Recorded(request.verb, request.path, request.query, request.headers, request.body)
        with self.lock:
            self._requests.append(record)
            mode = self.mode
        if not self.authorized(record):
            return self.unauthorized()
        if mode == "hang":
            self._released.wait(self.hang_seconds)
            return self.server_error()
        if mode == "error_500":
            return self.server_error()
        if mode == "bad_request":
            return self.bad_request()
        return self.route(record)

    def authorized(self, request: Recorded) -> bool:
        return request.header("Authorization") == f"Bearer {self.token}"

    def bad_request(self) -> HttpReply:
        return json_reply(400, {"message": "bad request"})

    def route(self, request: Recorded) -> HttpReply:
        raise NotImplementedError

    def unauthorized(self) -> HttpReply:
        raise NotImplementedError

    def server_error(self) -> HttpReply:
        raise NotImplementedError
