"""Building triage at start-up: the knowledge base, broken articles, the choice of backend."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from app.config import EXAMPLE_CONFIG, load_settings
from app.config_file import EscalationConfig, KnowledgeBaseConfig, load_config
from app.errors import StartupError
from app.triage.engine import OfflineTriageEngine
from app.triage.factory import build_knowledge_index, build_triage_engine

GOOD = (
    "---\ntitle: Exporting boards\nurl: https://help.example/export\n---\n"
    "Open the board, click Export, choose CSV.\n"
)


def _config_with_kb(folder: Path) -> EscalationConfig:
    config = load_config(EXAMPLE_CONFIG)
    return config.model_copy(update={"knowledge_base": KnowledgeBaseConfig(path=folder)})


def test_broken_articles_are_logged_and_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "export.md").write_text(GOOD)
    (tmp_path / "broken.md").write_text("no front matter here\n")
    with caplog.at_level(logging.WARNING):
        index = build_knowledge_index(_config_with_kb(tmp_path))
    assert "knowledge base: skipped broken.md" in caplog.text
    hits = index.search("how do I export a board to csv")
    assert [hit.article.title for hit in hits] == ["Exporting boards"]


def test_missing_or_empty_knowledge_base_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(StartupError, match=r"^knowledge_base\.path: .*absent"):
        build_knowledge_index(_config_with_kb(tmp_path / "absent"))
    (tmp_path / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n")
    with pytest.raises(StartupError, match="no usable articles"):
        build_knowledge_index(_config_with_kb(tmp_path))


def test_offline_unless_a_key_is_set() -> None:
    config = load_config(EXAMPLE_CONFIG)
    assert isinstance(build_triage_engine(load_settings(), config), OfflineTriageEngine)
    keyed = load_settings(
        openai_api_key="sk-test-000000000", openai_base_url="http://127.0.0.1:9/v1"
    )
    engine = build_triage_engine(keyed, config)
    assert getattr(engine, "name", None) == "openai"
    assert isinstance(build_triage_engine(keyed, config, offline_only=True), OfflineTriageEngine)


def test_an_engine_built_cold_loads_its_models_on_the_first_message() -> None:
    config = load_config(EXAMPLE_CONFIG)
    warm = build_triage_engine(load_settings(), config)
    cold = build_triage_engine(load_settings(), config, warm_up=False)
    for text in (
        "How do I export a board to CSV?",
        "This is the third time I ask, cancel our subscription now!!",
        "¿Cómo restablezco mi contraseña?",
    ):
        assert cold.triage(text) == warm.triage(text)
