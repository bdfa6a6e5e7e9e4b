"""Shared fixtures: a clean environment, databases (SQLite file and a real PostgreSQL server)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from app.config import EXAMPLE_CONFIG, Settings
from app.db.engine import make_engine
from app.db.schema import upgrade

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
SETTING_NAMES = [name.upper() for name in Settings.model_fields]


def required_path(path: Path, *, why: str) -> Path:
    """``path`` when it exists; else the test is skipped (saying ``why``), or fails in CI."""
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing in CI ({why})")
        pytest.skip(f"{path} is absent ({why})")
    return path


def shared_path(*parts: str) -> Path:
    """A path in ../shared, skipping the test when that folder is absent (outside CI)."""
    return required_path(SHARED.joinpath(*parts), why="reference material beside the checkout")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting leaks in from the developer's shell or a .env file."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def _postgres_admin_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    if os.environ.get("REQUIRE_POSTGRES"):
        pytest.fail("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not")
    return None


def _admin_engine() -> Engine:
    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip("TEST_DATABASE_URL is not set (CI sets it and runs a PostgreSQL server)")
    url = make_url(admin_url).set(drivername="postgresql+psycopg")
    return create_engine(url, isolation_level="AUTOCOMMIT")


@contextmanager
def fresh_postgres_database(template: str | None = None) -> Iterator[str]:
    """Create a PostgreSQL database (empty, or a copy of ``template``), yield its URL, drop it
    (skips without a server)."""
    admin = _admin_engine()
    name = f"test_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (skipped without TEST_DATABASE_URL)."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'bot.db'}"


def _migrate(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()  # no connection left: SQLite's file is whole, PostgreSQL's copyable


@pytest.fixture(scope="session")
def _migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head per test process, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _migrated_postgres_template() -> Iterator[str]:
    """One PostgreSQL database migrated to head per test process, the template of each test's."""
    with fresh_postgres_database() as url:
        _migrate(url)
        yield str(make_url(url).database)


@pytest.fixture
def migrated_sqlite_url(tmp_path: Path, _migrated_sqlite_file: Path) -> str:
    shutil.copyfile(_migrated_sqlite_file, tmp_path / "bot.db")
    return f"sqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture
def migrated_postgres_url(_migrated_postgres_template: str) -> Iterator[str]:
    with fresh_postgres_database(template=_migrated_postgres_template) as url:
        yield url


_BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=_BACKENDS)
def empty_database_url(request: pytest.FixtureRequest) -> str:
    """An empty database, once on SQLite and once on PostgreSQL (for tests of migrations)."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture(params=_BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """A database migrated to head, once on SQLite and once on PostgreSQL (a copy of one
    migrated per test process: the app finds its schema current, as after a release)."""
    name = "migrated_sqlite_url" if request.param == "sqlite" else "migrated_postgres_url"
    return str(request.getfixturevalue(name))


@contextmanager
def engine_at(url: str, revision: str) -> Iterator[Engine]:
    """An engine on the empty database ``url`` migrated to ``revision`` (for tests of the
    migrations after it)."""
    engine = make_engine(url)
    upgrade(engine, revision)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database on each backend."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def example_config_path() -> Path:
    return EXAMPLE_CONFIG


def example_config_text() -> str:
    """The example config, its knowledge-base path made absolute (so it works from anywhere)."""
    return EXAMPLE_CONFIG.read_text().replace(
        "path: app/knowledge", f"path: {EXAMPLE_CONFIG.parent}/app/knowledge"
    )


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    """The example config in the test's own directory: processes the test starts run there and
    write their logs beside it."""
    path = tmp_path / "escalation.yml"
    path.write_text(example_config_text())
    return path
