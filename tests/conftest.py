"""Shared fixtures: a clean environment, databases (SQLite file and a real PostgreSQL server)."""

from __future__ import annotations

import os
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


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """Create an empty PostgreSQL database, yield its URL, drop it (skips without a server)."""
    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip("TEST_DATABASE_URL is not set (CI sets it and runs a PostgreSQL server)")
    url = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Runs the test once on SQLite and once on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database on each backend."""
    engine = make_engine(database_url)
    upgrade(engine)
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
