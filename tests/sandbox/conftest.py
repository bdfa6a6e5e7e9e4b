"""Fixtures for the sandbox tests: the sandbox (the real app behind its page) and its JSON API."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from sandbox.server import SandboxServer

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sandbox_server(sqlite_url: str, example_config_path: Path) -> Iterator[SandboxServer]:
    """The sandbox on SQLite with the example config, scenarios played without pauses."""
    with SandboxServer(database_url=sqlite_url, config_path=example_config_path, pause=0) as server:
        yield server


class SandboxApi:
    """The page's JSON API, called as the page calls it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def call(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = Request(  # noqa: S310 (a local URL)
            self.base_url + path,
            data=data,
            headers={"Content-Type": "application/json"},
            method="POST" if data is not None else "GET",
        )
        try:
            with urlopen(request, timeout=20) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except HTTPError as error:
            with error:
                return error.code, json.loads(error.read() or b"null")

    def get(self, path: str) -> Any:
        status, payload = self.call(path)
        assert status == 200, payload
        return payload

    def post(self, path: str, body: dict[str, Any]) -> Any:
        status, payload = self.call(path, body)
        assert status == 200, payload
        return payload


@pytest.fixture
def api(sandbox_server: SandboxServer) -> SandboxApi:
    return SandboxApi(sandbox_server.url)


def eventually(check: Callable[[], T | None], timeout: float = 20.0) -> T:
    """Poll ``check`` until it returns something truthy (the page polls the same way)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not seen within {timeout} s")
        time.sleep(0.05)
