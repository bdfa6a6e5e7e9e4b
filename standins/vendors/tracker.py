"""What the local tracker API stand-ins (Linear, Jira) add to the vendor stand-in: answers given as
``(status, JSON body)`` and error bodies in each tracker's own shape."""

from __future__ import annotations

import json
from typing import Any

from standins.http_server import HttpReply
from standins.vendors.base import MODES, Mode, VendorStandin
from standins.vendors.base import Recorded as RecordedRequest

__all__ = ["MODES", "Mode", "RecordedRequest", "TrackerStandin"]


class TrackerStandin(VendorStandin):
    """A tracker API on 127.0.0.1 (a free port); subclasses answer in :meth:`answer`."""

    name = "tracker-standin"

    def __init__(self, *, mode: Mode = "ok", hang_seconds: float = 30.0) -> None:
        super().__init__(mode=mode, hang_seconds=hang_seconds)

    def authorized(self, request: RecordedRequest) -> bool:
        raise NotImplementedError

    def error_body(self, *messages: str) -> Any:
        raise NotImplementedError

    def answer(self, record: RecordedRequest) -> tuple[int, Any]:
        raise NotImplementedError

    def route(self, request: RecordedRequest) -> HttpReply:
        return self._reply(*self.answer(request))

    def unauthorized(self) -> HttpReply:
        return self._reply(401, self.error_body("Authentication required, not authenticated"))

    def server_error(self) -> HttpReply:
        return self._reply(500, self.error_body("Internal server error"))

    def bad_request(self) -> HttpReply:
        return self._reply(400, self.error_body("Argument Validation Error"))

    @staticmethod
    def _reply(status: int, body: Any) -> HttpReply:
        return HttpReply(
            status=status,
            body=json.dumps(body).encode() if body is not None else b"",
            headers={"Content-Type": "application/json", "Connection": "close"},
        )
