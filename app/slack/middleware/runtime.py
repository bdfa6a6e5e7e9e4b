"""Hands the process's Runtime to every listener through Bolt's context, seen by the request's
installation: the one place where the current team is resolved.

In OAuth mode the team is the one Bolt authorized the request for (for Slack Connect events the
envelope's ``team_id`` may be the customer's organisation; Bolt reads ours from
``authorizations``). With a single bot token every request belongs to the one workspace.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltContext

from app.runtime import Runtime
from app.team_scope import TeamScope

RUNTIME_KEY = "runtime"


def runtime_middleware(runtime: Runtime) -> Callable[..., None]:
    multi_workspace = runtime.settings.oauth_mode

    def attach_runtime(context: BoltContext, next: Callable[[], None]) -> None:
        team_id = (context.team_id or context.enterprise_id) if multi_workspace else None
        context[RUNTIME_KEY] = runtime.for_team(TeamScope(team_id)) if team_id else runtime
        next()

    return attach_runtime


def runtime_of(context: BoltContext) -> Runtime:
    runtime = context.get(RUNTIME_KEY)
    assert isinstance(runtime, Runtime)
    return runtime
