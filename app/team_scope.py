"""Which Slack workspace (installation) a piece of work belongs to.

Rows of accounts, conversations and escalations carry the team id of the installation they came
from; every listing reads one team's rows. With a single bot token there is one workspace, and
its rows carry :data:`SINGLE_WORKSPACE_TEAM_ID`.
"""

from __future__ import annotations

from dataclasses import dataclass

SINGLE_WORKSPACE_TEAM_ID = "single"


@dataclass(frozen=True)
class TeamScope:
    """The installation a request or a job works for."""

    team_id: str


SINGLE_WORKSPACE = TeamScope(SINGLE_WORKSPACE_TEAM_ID)
