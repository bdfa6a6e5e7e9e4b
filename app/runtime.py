"""What a running process holds: settings, the config file, the database engine.

Built once by ``bootstrap`` and handed to the Slack layer and the worker; nothing reads the
environment or the config file anywhere else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from app.config import Settings
from app.config_file import EscalationConfig, load_config
from app.crm.account_facts import AccountFactsReader, install_reader
from app.db.accounts import sync_accounts
from app.db.engine import make_engine, session_scope
from app.db.schema import ensure_schema
from app.integrations.senders import report_integration_problems
from app.triage.engine import TriageEngine
from app.triage.factory import build_triage_engine

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    config: EscalationConfig
    engine: Engine
    triage: TriageEngine


def bootstrap(settings: Settings, *, auto_upgrade: bool | None = None) -> Runtime:
    """Load the config file, check (or upgrade) the schema, sync accounts, build triage (the
    knowledge index and the offline classifier). Raises StartupError.

    The embedded SQLite database is upgraded in place; a PostgreSQL database must already be at
    the current schema (``escalation-bot db upgrade`` runs on release), unless told otherwise.
    """
    config = load_config(settings.escalation_config)
    engine = make_engine(settings.database_url)
    if auto_upgrade is None:
        auto_upgrade = engine.dialect.name == "sqlite"
    try:
        ensure_schema(engine, auto_upgrade=auto_upgrade)
    except Exception:
        engine.dispose()
        raise
    with session_scope(engine) as session:
        changed = sync_accounts(session=session, accounts=config.accounts)
    logger.info("config loaded: %d accounts (%d changed)", len(config.accounts), changed)
    report_integration_problems(settings, config)
    install_reader(AccountFactsReader.from_settings(settings))
    triage = build_triage_engine(settings, config)
    return Runtime(settings=settings, config=config, engine=engine, triage=triage)
