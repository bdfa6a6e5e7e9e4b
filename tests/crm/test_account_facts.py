from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.config_file import AccountConfig
from app.crm.account_facts import AccountFacts, AccountFactsReader
from app.integrations.crm_settings import CrmSettings
from standins.vendors import hubspot as hubspot_standin
from standins.vendors import salesforce as salesforce_standin
from standins.vendors.hubspot import HubSpotStandin
from standins.vendors.salesforce import SalesforceStandin

COMPANY, SF_ACCOUNT = "9876543210", "001Dn00000AbCdEfGH"
ACME = AccountConfig(
    name="Acme",
    channel="C0ACME",
    tier="pro",
    arr=1000,
    hubspot_company_id=COMPANY,
    salesforce_account_id=SF_ACCOUNT,
)
OFF = CrmSettings("off")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def hubspot() -> Iterator[HubSpotStandin]:
    with HubSpotStandin(
        companies={
            COMPANY: {"tier": "enterprise", "arr": "250000", "hubspot_owner_id": "77"},
        },
        owners={"77": {"firstName": "Dana", "lastName": "Lee", "email": "dana@vendor.test"}},
        hang_seconds=5,
    ) as server:
        yield server


@pytest.fixture
def salesforce() -> Iterator[SalesforceStandin]:
    accounts = {SF_ACCOUNT: {"Tier__c": "Enterprise", "ARR__c": 99000.0, "Owner": {"Name": "Sam"}}}
    with SalesforceStandin(accounts=accounts) as server:
        yield server


def _hubspot_settings(server: HubSpotStandin) -> CrmSettings:
    return CrmSettings("HubSpot", base_url=server.url, token=hubspot_standin.DEFAULT_TOKEN)


def _salesforce_settings(server: SalesforceStandin) -> CrmSettings:
    return CrmSettings("Salesforce", base_url=server.url, token=salesforce_standin.DEFAULT_TOKEN)


def test_reads_hubspot_and_caches_for_the_ttl(hubspot: HubSpotStandin) -> None:
    clock = Clock()
    reader = AccountFactsReader(
        hubspot=_hubspot_settings(hubspot), salesforce=OFF, ttl=600, clock=clock
    )
    expected = AccountFacts(tier="enterprise", arr=250000.0, owner="Dana Lee", source="hubspot")
    assert reader.facts(ACME) == expected
    company, owner = hubspot.requests
    assert company.path == f"/crm/v3/objects/companies/{COMPANY}"
    assert company.query == "properties=tier%2Carr%2Chubspot_owner_id"
    assert owner.path == "/crm/v3/owners/77"
    assert company.header("Authorization") == f"Bearer {hubspot_standin.DEFAULT_TOKEN}"
    clock.now += 599
    assert reader.facts(ACME) == expected
    assert len(hubspot.requests) == 2
    clock.now += 2
    hubspot.companies[COMPANY].properties["arr"] = "300000"
    assert reader.facts(ACME).arr == 300000.0
    assert len(hubspot.requests) == 4


def test_reads_salesforce(salesforce: SalesforceStandin) -> None:
    reader = AccountFactsReader(hubspot=OFF, salesforce=_salesforce_settings(salesforce))
    assert reader.facts(ACME) == AccountFacts(
        tier="enterprise", arr=99000.0, owner="Sam", source="salesforce"
    )


def test_empty_crm_fields_fall_back_to_the_config(hubspot: HubSpotStandin) -> None:
    hubspot.companies[COMPANY].properties.clear()
    reader = AccountFactsReader(hubspot=_hubspot_settings(hubspot), salesforce=OFF)
    assert reader.facts(ACME) == AccountFacts(tier="pro", arr=1000, owner=None, source="hubspot")


def test_without_a_crm_the_config_file_answers_without_a_request() -> None:
    reader = AccountFactsReader(hubspot=OFF, salesforce=OFF)
    assert reader.facts(ACME) == AccountFacts(tier="pro", arr=1000, owner=None, source="config")


def test_a_failing_crm_falls_back_and_is_not_asked_again_at_once(hubspot: HubSpotStandin) -> None:
    clock = Clock()
    reader = AccountFactsReader(
        hubspot=_hubspot_settings(hubspot), salesforce=OFF, failure_ttl=60, clock=clock
    )
    hubspot.mode = "error_500"
    assert reader.facts(ACME).source == "config"
    assert reader.facts(ACME).source == "config"
    assert len(hubspot.requests) == 1
    hubspot.mode = "ok"
    clock.now += 61
    assert reader.facts(ACME).source == "hubspot"


def test_a_crm_that_hangs_costs_one_short_timeout(hubspot: HubSpotStandin) -> None:
    hubspot.mode = "hang"
    reader = AccountFactsReader(hubspot=_hubspot_settings(hubspot), salesforce=OFF, timeout=0.2)
    assert reader.facts(ACME) == AccountFacts(tier="pro", arr=1000, owner=None, source="config")
