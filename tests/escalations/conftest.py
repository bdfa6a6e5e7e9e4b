from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from standins.local_slack import LocalSlack
from standins.slack.standin import SlackStandin
from standins.slack.workspace import Workspace


@pytest.fixture
def slack(database_url: str, example_config_path: Path) -> Iterator[LocalSlack]:
    """The app, with Slack timestamps from the wall clock (as Slack's): keyed sends are looked
    for in the history from the time they were taken."""
    standin = SlackStandin(bot_token="xoxb-local", workspace=Workspace(wall_clock_ts=True))
    with LocalSlack(
        database_url=database_url, config_path=example_config_path, standin=standin
    ) as local:
        yield local
