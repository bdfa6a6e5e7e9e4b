"""A local Linear GraphQL API: ``POST /graphql`` answering the ``issueCreate`` mutation.

It checks the ``Authorization`` header (the API key, as Linear takes personal keys), the GraphQL
body shape (``query`` naming ``issueCreate``, ``variables.input`` with ``teamId``, ``title``,
``description`` strings, optional ``labelIds`` list of strings) and records every request.
Fault modes: ``"error_500"`` (HTTP 500), ``"hang"`` (no answer until ``hang_seconds`` pass or the
server stops), ``"graphql_error"`` (HTTP 400 with GraphQL ``errors``, as Linear answers a bad
input).
"""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, get_args

Mode = Literal["ok", "error_500", "hang", "graphql_error"]
MODES: tuple[Mode, ...] = get_args(Mode)
DEFAULT_API_KEY = "lin_api_standinkey0000000000"
DEFAULT_TEAM_ID = "team-standin"
GRAPHQL_PATH = "/graphql"
REQUIRED_INPUT = ("teamId", "title", "description")


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
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


@dataclass(frozen=True)
class CreatedIssue:
    id: str
    identifier: str
    url: str
    team_id: str
    title: str
    description: str
    label_ids: tuple[str, ...]


def graphql_errors(*messages: str) -> dict[str, Any]:
    return {"errors": [{"message": m, "extensions": {"code": "INVALID_INPUT"}} for m in messages]}


def input_problems(body: Any, *, team_ids: frozenset[str]) -> list[str]:
    """What is wrong with an ``issueCreate`` request body (empty: nothing)."""
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return ["body must be a JSON object with a string `query`"]
    if "issueCreate" not in body["query"] or "mutation" not in body["query"]:
        return ["only the issueCreate mutation is supported"]
    variables = body.get("variables")
    issue = variables.get("input") if isinstance(variables, dict) else None
    if not isinstance(issue, dict):
        return ["variables.input must be an object"]
    problems = [
        f"input.{name} must be a non-empty string"
        for name in REQUIRED_INPUT
        if not isinstance(issue.get(name), str) or not issue[name]
    ]
    labels = issue.get("labelIds")
    if labels is not None and (
        not isinstance(labels, list) or not all(isinstance(x, str) for x in labels)
    ):
        problems.append("input.labelIds must be a list of strings")
    if not problems and issue["teamId"] not in team_ids:
        problems.append(f"team {issue['teamId']} not found")
    return problems


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, standin: LinearStandin) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.standin = standin

    def handle_error(self, request: object, client_address: object) -> None:
        """Stay quiet when a client gave up (a timed-out request); tests read the records."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self._serve("POST")

    def do_GET(self) -> None:
        self._serve("GET")

    def _serve(self, method: str) -> None:
        assert isinstance(self.server, _Server)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        status, body = self.server.standin.handle(
            method, self.path, dict(self.headers.items()), raw
        )
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: tests read the recorded requests instead."""


class LinearStandin:
    """A Linear GraphQL server on 127.0.0.1 (a free port)."""

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        team_ids: tuple[str, ...] = (DEFAULT_TEAM_ID,),
        mode: Mode = "ok",
        hang_seconds: float = 30.0,
    ) -> None:
        self.api_key = api_key
        self.team_ids = frozenset(team_ids)
        self.mode: Mode = mode
        self.hang_seconds = hang_seconds
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._issues: list[CreatedIssue] = []
        self._numbers = itertools.count(1)
        self._released = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> LinearStandin:
        if self._server is not None:
            return self
        self._released.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="linear-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; requests left hanging are released first."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._released.set()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> LinearStandin:
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
        """``http://127.0.0.1:PORT/graphql``, the ``LINEAR_API_URL``."""
        if self._server is None:
            raise RuntimeError("the Linear stand-in is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{GRAPHQL_PATH}"

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def issues(self) -> list[CreatedIssue]:
        with self._lock:
            return list(self._issues)

    def handle(
        self, method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, Any]]:
        record = RecordedRequest(method=method, path=path, headers=headers, raw=raw)
        with self._lock:
            self._requests.append(record)
            mode = self.mode
        if method != "POST" or path.split("?")[0] != GRAPHQL_PATH:
            return 404, graphql_errors(f"no route {method} {path}")
        if record.header("Authorization") != self.api_key:
            return 401, {"errors": [{"message": "Authentication required, not authenticated"}]}
        if mode == "hang":
            self._released.wait(self.hang_seconds)
            return 503, graphql_errors("the stand-in hung up")
        if mode == "error_500":
            return 500, graphql_errors("Internal server error")
        if mode == "graphql_error":
            return 400, graphql_errors("Argument Validation Error")
        problems = input_problems(record.body, team_ids=self.team_ids)
        if problems:
            return 400, graphql_errors(*problems)
        return 200, {"data": {"issueCreate": {"success": True, "issue": self._create(record)}}}

    def _create(self, record: RecordedRequest) -> dict[str, str]:
        issue = record.body["variables"]["input"]
        with self._lock:
            number = next(self._numbers)
            created = CreatedIssue(
                id=str(uuid.uuid4()),
                identifier=f"ENG-{number}",
                url=f"https://linear.app/standin/issue/ENG-{number}",
                team_id=issue["teamId"],
                title=issue["title"],
                description=issue["description"],
                label_ids=tuple(issue.get("labelIds") or ()),
            )
            self._issues.append(created)
        return {"id": created.id, "identifier": created.identifier, "url": created.url}
