"""Resolves, once per request, which installation the request works for.

In OAuth mode that is the team Bolt authorized the request for (for Slack Connect events the
envelope's ``team_id`` may be the customer's organisation: Bolt reads ours from
``authorizations``). With a single bot token every request belongs to the one workspace.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltContext

from app.team_scope import SINGLE_WORKSPACE, TeamScope

TEAM_SCOPE_KEY = "team_scope"


def team_scope_middleware(*, multi_workspace: bool) -> Callable[..., None]:
    def attach_team_scope(context: BoltContext, next: Callable[[], None]) -> None:
        if multi_workspace:
            team_id = context.team_id or context.enterprise_id
            context[TEAM_SCOPE_KEY] = TeamScope(team_id) if team_id else None
        else:
            context[TEAM_SCOPE_KEY] = SINGLE_WORKSPACE
        next()

    return attach_team_scope


def team_scope_of(context: BoltContext) -> TeamScope:
    """The installation of the request (set by :func:`team_scope_middleware`)."""
    scope = context.get(TEAM_SCOPE_KEY)
    if isinstance(scope, TeamScope):
        return scope
    return SINGLE_WORKSPACE
