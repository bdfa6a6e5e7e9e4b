"""What a running process holds: settings, the config file, the database engine.

Built once by ``bootstrap`` and handed to the Slack layer and the worker; nothing reads the
environment or the config file anywhere else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from sqlalchemy.engine import Engine

from app.config import Settings
from app.config_file import EscalationConfig, load_config
from app.crm.account_facts import AccountFactsReader, install_reader
from app.db.accounts import sync_accounts
from app.db.engine import make_engine, session_scope
from app.db.schema import ensure_schema
from app.integrations.senders import report_integration_problems
from app.team_scope import SINGLE_WORKSPACE, TeamScope
from app.triage.engine import TriageEngine
from app.triage.factory import build_knowledge_index, build_triage_engine

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    config: EscalationConfig
    engine: Engine
    triage: TriageEngine
    team: TeamScope = field(default=SINGLE_WORKSPACE)

    @property
    def team_filter(self) -> str | None:
        """The team id that narrows the worker's queries to this installation's rows; None with a
        single bot token, where every row is this workspace's."""
        return None if self.team == SINGLE_WORKSPACE else self.team.team_id

    def for_team(self, team: TeamScope) -> Runtime:
        """The same process seen by one installation: its team and its part of the config."""
        if team == self.team:
            return self
        return replace(self, team=team, config=self.config.for_team(team.team_id))


def bootstrap(
    settings: Settings, *, auto_upgrade: bool | None = None, warm_up_triage: bool = True
) -> Runtime:
    """Load the config file, check (or upgrade) the schema, sync accounts, build triage (the
    knowledge index and the offline classifier, its models loaded now unless ``warm_up_triage``
    is false: then on first use). Raises StartupError.

    The embedded SQLite database is upgraded in place; a PostgreSQL database must already be at
    the current schema (``escalation-bot db upgrade`` runs on release), unless told otherwise.
    """
    config, engine = _prepare(settings, auto_upgrade=auto_upgrade)
    install_reader(AccountFactsReader.from_settings(settings))
    triage = build_triage_engine(settings, config, warm_up=warm_up_triage)
    return Runtime(settings=settings, config=config, engine=engine, triage=triage)


def check_startup(settings: Settings) -> None:
    """What :func:`bootstrap` checks and prepares, without loading the triage models: for a
    process that only supervises the ones that serve (the HTTP server's master process), so it
    fails fast on a bad config or schema without holding a copy of the models. Raises
    StartupError."""
    config, engine = _prepare(settings, auto_upgrade=None)
    engine.dispose()
    build_knowledge_index(config)


def _prepare(settings: Settings, *, auto_upgrade: bool | None) -> tuple[EscalationConfig, Engine]:
    config = load_config(settings.escalation_config)
    engine = make_engine(settings.database_url)
    if auto_upgrade is None:
        auto_upgrade = engine.dialect.name == "sqlite"
    try:
        ensure_schema(engine, auto_upgrade=auto_upgrade)
        with session_scope(engine) as session:
            changed = sync_accounts(session=session, accounts=config.accounts)
            for team_id, workspace in config.workspaces.items():
                changed += sync_accounts(
                    session=session, accounts=workspace.accounts, team_id=team_id
                )
    except Exception:
        engine.dispose()
        raise
    accounts = len(config.accounts) + sum(len(w.accounts) for w in config.workspaces.values())
    logger.info("config loaded: %d accounts (%d changed)", accounts, changed)
    report_integration_problems(settings, config)
    return config, engine
