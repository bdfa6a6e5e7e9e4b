"""The workspaces the worker's jobs run for: each with its runtime (team, config), a Web API
client holding its bot token, and the bot's identity there.

With a single bot token that is one workspace. In OAuth mode it is every installation in the
database, each token obtained through the same authorization the web processes use (so an
expiring token is refreshed under the installation's lease, never twice).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import BoltContext
from slack_sdk import WebClient
from sqlalchemy import select

from app.conversations.intake import BotIdentity
from app.db import installation_tables as tables
from app.runtime import Runtime
from app.slack.client import build_web_client
from app.slack.gateway import ClientForTeam, SlackGateway
from app.slack.oauth.install_flow import build_oauth
from app.team_scope import TeamScope

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Workspace:
    """What a job needs to work for one workspace."""

    runtime: Runtime
    client: WebClient
    bot: BotIdentity


WorkspaceSource = Callable[[], list[Workspace]]
#: The workspace of a team id (None: no usable installation, or no team named).
WorkspaceOf = Callable[[str | None], Workspace | None]


def bot_identity(client: WebClient) -> BotIdentity:
    """The bot of a single bot token, from ``auth.test``."""
    return SlackGateway(client).bot_identity()


def single_workspace(runtime: Runtime, client: WebClient, bot: BotIdentity) -> WorkspaceSource:
    workspace = Workspace(runtime, client, bot)
    return lambda: [workspace]


def the_single_workspace(runtime: Runtime, client: WebClient, bot: BotIdentity) -> WorkspaceOf:
    """With a single bot token every team id is the one workspace."""
    workspace = Workspace(runtime, client, bot)
    return lambda _team_id: workspace


def installed_team_ids(runtime: Runtime) -> list[str]:
    """Teams with a bot installation of this app (its client id), in a stable order."""
    bots = tables.bots.c
    statement = (
        select(bots.team_id)
        .where(bots.client_id == runtime.settings.slack_client_id, bots.team_id.is_not(None))
        .distinct()
        .order_by(bots.team_id)
    )
    with runtime.engine.connect() as connection:
        return [str(team_id) for (team_id,) in connection.execute(statement)]


def installed_workspaces(runtime: Runtime) -> WorkspaceSource:
    """Every installation, looked up afresh on each call (new installs join the next run)."""
    authorize = _installation_authorizer(runtime)

    def workspaces() -> list[Workspace]:
        found = [authorize(team_id) for team_id in installed_team_ids(runtime)]
        return [workspace for workspace in found if workspace is not None]

    return workspaces


def installation_clients(runtime: Runtime) -> ClientForTeam:
    """The client of each installation by team id, its token looked up at each call (so a
    rotated token is refreshed under the installation's lease)."""
    workspace_of = installation_of(runtime)

    def client_for(team_id: str) -> WebClient | None:
        workspace = workspace_of(team_id)
        return workspace.client if workspace is not None else None

    return client_for


def installation_of(runtime: Runtime) -> WorkspaceOf:
    """The installation of a team id, its token looked up at each call."""
    authorize = _installation_authorizer(runtime)
    return lambda team_id: authorize(team_id) if team_id else None


def _installation_authorizer(runtime: Runtime) -> Callable[[str], Workspace | None]:
    base = build_web_client(runtime.settings, token=None)
    authorize = build_oauth(runtime.settings, engine=runtime.engine, client=base).authorize

    def workspace_of(team_id: str) -> Workspace | None:
        context = BoltContext({"client": base, "is_enterprise_install": False})
        result = authorize(context=context, enterprise_id=None, team_id=team_id, user_id=None)
        if result is None or result.bot_token is None or result.bot_user_id is None:
            logger.warning("installation %s has no usable bot token: skipped", team_id)
            return None
        return Workspace(
            runtime.for_team(TeamScope(team_id)),
            build_web_client(runtime.settings, token=result.bot_token),
            BotIdentity(team_id=team_id, user_id=result.bot_user_id),
        )

    return workspace_of
