from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.config import EXAMPLE_CONFIG, Settings, load_settings
from app.config_file import EscalationConfig, WorkspaceConfig, load_config
from app.db.outbox_table import OutboxEvent
from app.integrations import hubspot, linear, salesforce
from app.integrations.alerts import KIND as ALERT_KIND
from app.integrations.crm_settings import hubspot_settings, salesforce_settings
from app.integrations.senders import (
    configured_senders,
    integration_problems,
    post_integration_problems,
    report_integration_problems,
)


def _settings(**values: object) -> Settings:
    return load_settings(**values)


def _config(**account_ids: str) -> EscalationConfig:
    config = load_config(EXAMPLE_CONFIG)
    first = config.accounts[0].model_copy(update=account_ids)
    return config.model_copy(update={"accounts": [first, *config.accounts[1:]]})


def test_nothing_is_on_without_settings() -> None:
    assert configured_senders(_settings()) == {}
    assert integration_problems(_settings(), _config()) == []
    assert not hubspot_settings(_settings()).enabled
    assert not salesforce_settings(_settings()).enabled


def test_every_configured_integration_has_a_sender(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-na1-x")
    monkeypatch.setenv("SALESFORCE_INSTANCE_URL", "https://acme.my.salesforce.com/")
    monkeypatch.setenv("SALESFORCE_ACCESS_TOKEN", "00Dx!AQx")
    monkeypatch.setenv("LINEAR_API_KEY", "lin_api_x")
    monkeypatch.setenv("LINEAR_TEAM_ID", "team-1")
    settings = load_settings()
    senders = configured_senders(settings)
    assert set(senders) == {hubspot.KIND, salesforce.KIND, linear.KIND}
    assert isinstance(senders[hubspot.KIND], hubspot.HubSpotSender)
    assert hubspot_settings(settings).base_url == "https://api.hubapi.com"
    assert salesforce_settings(settings).base_url == "https://acme.my.salesforce.com"


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        (
            {"hubspot_access_token": SecretStr("pat-x"), "hubspot_api_url": "ftp://hub"},
            "HubSpot integration is off: HUBSPOT_API_URL must be an http(s) URL.",
        ),
        (
            {"salesforce_access_token": SecretStr("00Dx")},
            "Salesforce integration is off: the access token is set but "
            "SALESFORCE_INSTANCE_URL is not.",
        ),
        (
            {"salesforce_instance_url": "https://acme.my.salesforce.com"},
            "Salesforce integration is off: SALESFORCE_INSTANCE_URL is set but the access "
            "token is not.",
        ),
    ],
)
def test_a_misconfiguration_turns_the_integration_off_and_is_reported(
    values: dict[str, object], problem: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(**values)
    assert configured_senders(settings) == {}
    with caplog.at_level(logging.ERROR):
        assert report_integration_problems(settings, _config()) == [problem]
    assert f"integration misconfigured: {problem}" in caplog.text
    assert "pat-x" not in caplog.text and "00Dx" not in caplog.text


def test_accounts_mapped_to_an_unconfigured_crm_are_reported() -> None:
    config = _config(hubspot_company_id="123", salesforce_account_id="001Dn00000AbCdEfGH")
    assert integration_problems(_settings(), config) == [
        "1 account(s) have a hubspot_company_id but HubSpot is not configured: their signals "
        "wait in the outbox until it is.",
        "1 account(s) have a salesforce_account_id but Salesforce is not configured: their "
        "signals wait in the outbox until it is.",
    ]


def test_accounts_of_every_installed_workspace_are_counted() -> None:
    config = _config(hubspot_company_id="123")
    second = config.accounts[1].model_copy(update={"hubspot_company_id": "456"})
    workspace = WorkspaceConfig(
        accounts=[second],
        skills=config.skills,
        overflow_channel=config.overflow_channel,
        leads_channel=config.leads_channel,
    )
    config = config.model_copy(
        update={"accounts": config.accounts[:1], "workspaces": {"T0SECOND": workspace}}
    )
    assert integration_problems(_settings(), config) == [
        "2 account(s) have a hubspot_company_id but HubSpot is not configured: their signals "
        "wait in the outbox until it is.",
    ]


def test_problems_are_queued_for_the_leads_once(engine: Engine) -> None:
    config = _config()
    problems = ["HubSpot integration is off: HUBSPOT_API_URL must be an http(s) URL."]
    post_integration_problems(engine=engine, config=config, problems=problems)
    post_integration_problems(engine=engine, config=config, problems=problems)  # a restart
    with Session(engine) as session:
        [row] = session.exec(select(OutboxEvent)).all()
    assert row.kind == ALERT_KIND
    assert f'"channel": "{config.leads_channel}"' in row.payload
    assert "HUBSPOT_API_URL must be an http(s) URL" in row.payload
