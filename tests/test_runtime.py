"""Start-up: what every process checks before it serves, and what the HTTP master skips."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from app.config import EXAMPLE_CONFIG, load_settings
from app.db.engine import make_engine, session_scope
from app.db.models import Account
from app.db.schema import current_revision, head_revision
from app.errors import StartupError
from app.runtime import check_startup


def test_check_startup_upgrades_the_embedded_database_and_syncs_accounts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'start.db'}"
    check_startup(load_settings(database_url=url, escalation_config=EXAMPLE_CONFIG))
    engine = make_engine(url)
    try:
        assert current_revision(engine) == head_revision()
        with session_scope(engine) as session:
            assert len(session.exec(select(Account)).all()) > 0
    finally:
        engine.dispose()


def test_check_startup_refuses_a_knowledge_base_without_articles(tmp_path: Path) -> None:
    empty = tmp_path / "kb"
    empty.mkdir()
    config = tmp_path / "escalation.yml"
    config.write_text(
        EXAMPLE_CONFIG.read_text(encoding="utf-8").replace(
            "path: app/knowledge/sample_kb", f"path: {empty}", 1
        ),
        encoding="utf-8",
    )
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'start.db'}", escalation_config=config
    )
    with pytest.raises(StartupError, match="no usable articles"):
        check_startup(settings)


def test_the_http_master_does_not_load_the_triage_models(tmp_path: Path) -> None:
    """The models are most of a serving process's memory; the master only supervises."""
    database_url = f"sqlite:///{tmp_path / 'm.db'}"
    script = (
        "import sys\n"
        "from app.config import load_settings\n"
        "from app.runtime import check_startup\n"
        f"check_startup(load_settings(database_url={database_url!r},"
        f" escalation_config={str(EXAMPLE_CONFIG)!r}))\n"
        "print(sorted(m for m in ('lingua', 'sklearn', 'numpy') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"
