"""The app in OAuth mode (client id, client secret, state secret; no bot token) over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from standins.local_slack import LocalSlack
from standins.slack.installer import install


@pytest.fixture
def oauth_slack(database_url: str, example_config_path: Path) -> Iterator[LocalSlack]:
    with LocalSlack(
        database_url=database_url, config_path=example_config_path, oauth=True
    ) as local:
        yield local


TWO_WORKSPACES = """\
skills:
  billing: {channel: C0BILLING}
  technical: {channel: C0TECH}
  account_management: {channel: C0AM}
  trust: {channel: C0TRUST}
  general: {channel: C0GENERAL}
overflow_channel: C0OVERFLOW
leads_channel: C0LEADS
workspaces:
  T0ALPHA:
    accounts:
      - {name: Acme, channel: C0ACMEA, tier: enterprise}
    skills:
      billing: {channel: C0BILLA}
      technical: {channel: C0TECHA}
      account_management: {channel: C0AMA}
      trust: {channel: C0TRUSTA}
      general: {channel: C0GENA}
    overflow_channel: C0OVERA
    leads_channel: C0LEADSA
    agents:
      - {user: U0AGENTA, skills: [billing, general, account_management, technical, trust]}
    leads: [U0LEADA]
  T0BETA:
    accounts:
      - {name: Globex, channel: C0GLOBEXB, tier: pro}
    skills:
      billing: {channel: C0BILLB}
      technical: {channel: C0TECHB}
      account_management: {channel: C0AMB}
      trust: {channel: C0TRUSTB}
      general: {channel: C0GENB}
    overflow_channel: C0OVERB
    leads_channel: C0LEADSB
    agents:
      - {user: U0AGENTB, skills: [billing, general, account_management, technical, trust]}
    leads: [U0LEADB]
"""


@contextmanager
def installed_twice(
    database_url: str, tmp_path: Path, config_text: str = TWO_WORKSPACES, **settings: Any
) -> Iterator[LocalSlack]:
    """The app in OAuth mode with ``config_text``, installed by Alpha and Beta."""
    config = tmp_path / "escalation.yml"
    config.write_text(config_text)
    with LocalSlack(database_url=database_url, config_path=config, oauth=True, **settings) as local:
        install(local.app_url, local.standin, "T0ALPHA", team_name="Alpha")
        install(local.app_url, local.standin, "T0BETA", team_name="Beta")
        yield local


@pytest.fixture
def two_workspaces(database_url: str, tmp_path: Path) -> Iterator[LocalSlack]:
    with installed_twice(database_url, tmp_path) as local:
        yield local
