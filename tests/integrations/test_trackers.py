from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.config import load_settings
from app.config_file import BugReportsConfig, EscalationConfig, load_config
from app.integrations.trackers import bug_trackers
from app.runtime import bootstrap

JIRA_ENV = {
    "jira_base_url": "https://acme.atlassian.net",
    "jira_email": "bot@acme.test",
    "jira_api_token": SecretStr("token"),
    "jira_project_key": "SUP",
}


def _config(example_config_path: Path, **bug_reports: object) -> EscalationConfig:
    config = load_config(example_config_path)
    return config.model_copy(update={"bug_reports": BugReportsConfig.model_validate(bug_reports)})


def test_nothing_chosen_nothing_on(example_config_path: Path) -> None:
    trackers = bug_trackers(load_settings(), load_config(example_config_path))
    assert trackers.names == () and trackers.problems == () and not trackers.enabled


def test_chosen_and_configured_trackers_are_on(example_config_path: Path) -> None:
    settings = load_settings(linear_api_key="lin_api_x", linear_team_id="team-1", **JIRA_ENV)
    trackers = bug_trackers(settings, _config(example_config_path, trackers=["jira", "linear"]))
    assert trackers.names == ("jira", "linear") and trackers.problems == ()


def test_a_chosen_tracker_without_credentials_is_off_and_reported(
    example_config_path: Path,
) -> None:
    settings = load_settings(linear_api_key="lin_api_x", jira_base_url="https://a.atlassian.net")
    trackers = bug_trackers(settings, _config(example_config_path, trackers=["linear", "jira"]))
    assert trackers.names == ()
    assert trackers.problems == (
        "bug_reports.trackers lists linear, but LINEAR_TEAM_ID is not set: linear is off",
        "bug_reports.trackers lists jira, but JIRA_EMAIL, JIRA_API_TOKEN, JIRA_PROJECT_KEY are "
        "not set: jira is off",
    )
    # the team and the project may come from the config file instead
    settings = load_settings(linear_api_key="lin_api_x", **{**JIRA_ENV, "jira_project_key": None})
    config = _config(
        example_config_path,
        trackers=["linear", "jira"],
        linear={"team_id": "team-2"},
        jira={"project_key": "OPS"},
    )
    assert bug_trackers(settings, config).names == ("linear", "jira")


def test_half_configured_jira_is_reported_even_when_unused(example_config_path: Path) -> None:
    settings = load_settings(jira_base_url="https://a.atlassian.net")
    [problem] = bug_trackers(settings, load_config(example_config_path)).problems
    assert problem == "Jira is partly configured (JIRA_EMAIL, JIRA_API_TOKEN not set): it is off"


def test_start_up_logs_the_problem_and_keeps_running(
    tmp_path: Path, example_config_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        escalation_config=example_config_path,
        jira_base_url="https://a.atlassian.net",
    )
    with caplog.at_level(logging.WARNING):
        runtime = bootstrap(settings, auto_upgrade=True)
    runtime.engine.dispose()
    assert (
        "integration misconfigured: Jira is partly configured (JIRA_EMAIL, JIRA_API_TOKEN not "
        "set): it is off"
    ) in caplog.messages
    assert "token" not in " ".join(caplog.messages).lower().replace("jira_api_token", "")
