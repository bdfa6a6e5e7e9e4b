from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import app.db.models  # noqa: F401
from app.db.engine import make_engine
from app.db.models import BugReport
from app.db.schema import MIGRATIONS, current_revision, ensure_schema, head_revision, upgrade
from app.errors import StartupError
from tests.bugs.test_service import escalation_row


def test_migrations_create_every_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"accounts", "conversations", "messages", "slack_events"} <= tables
    assert current_revision(engine) == head_revision()


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_upgrade_is_idempotent(engine: Engine) -> None:
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_old_schema_is_refused_with_a_clear_message(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        with pytest.raises(StartupError, match=r"run `escalation-bot db upgrade`"):
            ensure_schema(engine, auto_upgrade=False)
        ensure_schema(engine, auto_upgrade=True)
        assert current_revision(engine) == head_revision()
        ensure_schema(engine, auto_upgrade=False)  # current schema: accepted
    finally:
        engine.dispose()


def test_unknown_newer_schema_is_refused(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff'")
    with pytest.raises(StartupError, match="newer release"):
        ensure_schema(engine, auto_upgrade=False)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) >= 5000
    finally:
        engine.dispose()


def test_existing_bug_reports_get_the_workspace_of_their_escalation(engine: Engine) -> None:
    escalation_id = escalation_row(engine, "acme", "it broke", team_id="T0X")
    with Session(engine) as session:
        session.add(
            BugReport(fingerprint="f", title="t", trackers="linear", escalation_id=escalation_id)
        )
        session.commit()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0013")  # before bug reports had a workspace
    upgrade(engine)
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT team_id, fingerprint FROM bug_reports").all()
    assert [tuple(row) for row in rows] == [("T0X", "f")]
