"""Fixtures for the Slack stand-in and signed-request tests: a fake clock, a running stand-in."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk import WebClient

from standins.slack.methods_gen import default_spec_path
from standins.slack.standin import SlackStandin

REPO_ROOT = Path(__file__).resolve().parents[3]
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
