"""The HubSpot and Salesforce stand-ins with one customer each, and what the tests shared by
both CRMs need to know of each (``crm``: one run per CRM)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from app.delivery.outcomes import Sender
from app.integrations import hubspot as hubspot_api
from app.integrations import salesforce as salesforce_api
from app.integrations.http_json import call_json
from standins.vendors import hubspot as hubspot_standin
from standins.vendors import salesforce as salesforce_standin
from standins.vendors.base import VendorStandin
from standins.vendors.hubspot import HubSpotStandin
from standins.vendors.salesforce import SalesforceStandin

COMPANY = "9876543210"  # HubSpot
ACCOUNT = "001Dn00000AbCdEfGH"  # Salesforce


@pytest.fixture
def hubspot() -> Iterator[HubSpotStandin]:
    with HubSpotStandin(companies={COMPANY: {"name": "Acme Corp"}}, hang_seconds=5) as server:
        yield server


@pytest.fixture
def salesforce() -> Iterator[SalesforceStandin]:
    with SalesforceStandin(accounts={ACCOUNT: {"Name": "Acme Corp"}}, hang_seconds=5) as server:
        yield server


def hubspot_sender(server: HubSpotStandin, **kwargs: Any) -> hubspot_api.HubSpotSender:
    options: dict[str, Any] = {"timeout": 2.0, "token": hubspot_standin.DEFAULT_TOKEN, **kwargs}
    return hubspot_api.HubSpotSender(api_url=server.url, **options)


def salesforce_sender(server: SalesforceStandin, **kwargs: Any) -> salesforce_api.SalesforceSender:
    options: dict[str, Any] = {"timeout": 2.0, "token": salesforce_standin.DEFAULT_TOKEN, **kwargs}
    return salesforce_api.SalesforceSender(instance_url=server.url, **options)


def call_standin(
    server: VendorStandin,
    crm: str,
    path: str,
    body: dict[str, Any],
    *,
    method: str = "POST",
) -> Any:
    """A raw call to a stand-in with its good token, read as the CRM's client reads it."""
    token, read_error = {
        "HubSpot": (hubspot_standin.DEFAULT_TOKEN, hubspot_api.hubspot_error),
        "Salesforce": (salesforce_standin.DEFAULT_TOKEN, salesforce_api.salesforce_error),
    }[crm]
    return call_json(
        method=method,
        url=server.url + path,
        token=token,
        service=crm,
        timeout=2.0,
        read_error=read_error,
        body=body,
    )


@dataclass(frozen=True)
class Crm:
    """One CRM as the outbox sees it: its stand-in, sender and the records it wrote."""

    name: str  # as in error messages: HubSpot | Salesforce
    kind: str  # the outbox kind
    standin: HubSpotStandin | SalesforceStandin
    sender: Callable[..., Sender]  # keyword options: timeout, token
    records: Callable[[], Sequence[Any]]  # notes | tasks
    ids: dict[str, str]  # the payload's id of the customer in this CRM
    unknown_ids: dict[str, str]  # … of a customer it does not know
    unknown_error: str
    bad_token_error: str


@pytest.fixture(params=["hubspot", "salesforce"])
def crm(request: pytest.FixtureRequest) -> Crm:
    if request.param == "hubspot":
        server: HubSpotStandin = request.getfixturevalue("hubspot")
        return Crm(
            name="HubSpot",
            kind=hubspot_api.KIND,
            standin=server,
            sender=lambda **kwargs: hubspot_sender(server, **kwargs),
            records=lambda: server.notes,
            ids={"company_id": COMPANY},
            unknown_ids={"company_id": "1111"},
            unknown_error="HubSpot answered HTTP 404: OBJECT_NOT_FOUND: resource not found",
            bad_token_error="INVALID_AUTHENTICATION",
        )
    salesforce: SalesforceStandin = request.getfixturevalue("salesforce")
    return Crm(
        name="Salesforce",
        kind=salesforce_api.KIND,
        standin=salesforce,
        sender=lambda **kwargs: salesforce_sender(salesforce, **kwargs),
        records=lambda: salesforce.tasks,
        ids={"account_id": ACCOUNT},
        unknown_ids={"account_id": "001Dn00000ZZZZZZZZ"},
        unknown_error=(
            "Salesforce answered HTTP 400: INVALID_CROSS_REFERENCE_KEY: invalid cross reference id"
        ),
        bad_token_error="INVALID_SESSION_ID: Session expired or invalid",
    )
