"""What the local tracker API stand-ins (Linear, Jira) share: a local HTTP server, a record of
every request, and fault modes switched by tests (``error_500``, ``hang``, ``bad_request``)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, Self, get_args

from app.sandbox.standin_http import HttpReply, HttpRequest, LocalHttpServer

Mode = Literal["ok", "error_500", "hang", "bad_request"]
MODES: tuple[Mode, ...] = get_args(Mode)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
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


class TrackerStandin:
    """A vendor API on 127.0.0.1 (a free port); subclasses answer in :meth:`answer`."""

    name = "tracker-standin"

    def __init__(self, *, mode: Mode = "ok", hang_seconds: float = 30.0) -> None:
        self.mode: Mode = mode
        self.hang_seconds = hang_seconds
        self.lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
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
            raise RuntimeError(f"the {self.name} is not running")
        return self._server.base_url

    @property
    def requests(self) -> list[RecordedRequest]:
        with self.lock:
            return list(self._requests)

    def handle(self, record: RecordedRequest) -> tuple[int, Any]:
        """Record the request, apply the fault mode, else :meth:`answer` it."""
        with self.lock:
            self._requests.append(record)
            mode = self.mode
        if not self.authorized(record):
            return self.unauthorized()
        if mode == "hang":
            self._released.wait(self.hang_seconds)
            return 503, {"message": "the stand-in hung up"}
        if mode == "error_500":
            return 500, self.error_body("Internal server error")
        if mode == "bad_request":
            return 400, self.error_body("Argument Validation Error")
        return self.answer(record)

    def authorized(self, record: RecordedRequest) -> bool:
        raise NotImplementedError

    def unauthorized(self) -> tuple[int, Any]:
        return 401, self.error_body("Authentication required, not authenticated")

    def error_body(self, *messages: str) -> Any:
        raise NotImplementedError

    def answer(self, record: RecordedRequest) -> tuple[int, Any]:
        raise NotImplementedError

    def _dispatch(self, request: HttpRequest) -> HttpReply:
        record = RecordedRequest(
            method=request.verb,
            path=request.path,
            query=request.query,
            headers=request.headers,
            raw=request.body,
        )
        status, body = self.handle(record)
        return HttpReply(
            status=status,
            body=json.dumps(body).encode() if body is not None else b"",
            headers={"Content-Type": "application/json", "Connection": "close"},
        )
