"""Fixtures for the Slack stand-in and signed-request tests: a fake clock, a running stand-in;
and the sandbox (the real app behind its page) for the sandbox tests."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from slack_sdk import WebClient

from app.sandbox.sandbox_web import SandboxServer
from app.sandbox.slack_methods_gen import default_spec_path
from app.sandbox.slack_standin import SlackStandin

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[2]
EXTERNAL_CHANNEL = "C0EXTERNAL"
INTERNAL_CHANNEL = "C0INTERNAL"
CUSTOMER = "U0CUSTOMER"
CUSTOMER_TEAM = "T0ACME"
AGENT = "U0AGENT"


class FakeClock:
    """A clock that moves only when told (``sleep`` advances it)."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)


@pytest.fixture
def spec_path() -> Path:
    """Slack's OpenAPI spec in ../shared; skipped when that folder is absent (not in CI)."""
    path = default_spec_path(REPO_ROOT)
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing in CI")
        pytest.skip(f"{path} is absent: ../shared (Slack's reference files) is not beside the repo")
    return path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def standin(clock: FakeClock) -> Iterator[SlackStandin]:
    """A running stand-in with one Slack Connect channel, one internal channel and two users."""
    with SlackStandin(clock=clock) as running:
        running.add_channel(EXTERNAL_CHANNEL, "ext-acme", is_ext_shared=True)
        running.add_channel(INTERNAL_CHANNEL, "support-tier2")
        running.add_user(CUSTOMER, team_id=CUSTOMER_TEAM, name="jordan", real_name="Jordan Lee")
        running.add_user(AGENT, team_id="T0OURS", name="sam", email="sam@example.com")
        yield running


@pytest.fixture
def client(standin: SlackStandin) -> WebClient:
    return WebClient(token=standin.bot_token, base_url=standin.url)


# -- the sandbox ----------------------------------------------------------------------------------


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
