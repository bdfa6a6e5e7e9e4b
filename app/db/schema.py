"""Schema version checks and upgrades, through Alembic."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from app.errors import StartupError

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (all migrations run in one transaction per step)."""
    config = _alembic_config()
    logger.info("upgrading the database schema to %s", revision)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (each migration moves its rows back)."""
    config = _alembic_config()
    logger.info("downgrading the database schema to %s", revision)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def ensure_schema(engine: Engine, *, auto_upgrade: bool) -> None:
    """Upgrade the schema (embedded SQLite) or refuse to start on an old one (shared PostgreSQL,
    where ``escalation-bot db upgrade`` runs once on release)."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if auto_upgrade:
        upgrade(engine)
        return
    known = {
        rev.revision for rev in ScriptDirectory.from_config(_alembic_config()).walk_revisions()
    }
    if current is not None and current not in known:
        raise StartupError(
            f"database schema is at revision {current}, which this version does not know "
            "(was it created by a newer release?)"
        )
    raise StartupError(
        f"database schema is at revision {current or 'none (empty database)'}, this version needs "
        f"{head}: run `escalation-bot db upgrade`"
    )
