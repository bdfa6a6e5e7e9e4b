"""The app in OAuth mode (client id, client secret, state secret; no bot token) over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.sandbox.local_slack import LocalSlack


@pytest.fixture
def oauth_slack(database_url: str, example_config_path: Path) -> Iterator[LocalSlack]:
    with LocalSlack(
        database_url=database_url, config_path=example_config_path, oauth=True
    ) as local:
        yield local
