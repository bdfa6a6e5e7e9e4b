from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pytest

from app.delivery.outcomes import PermanentError
from app.integrations.salesforce import TASK_BY_MARKER
from standins.vendors.salesforce import DEFAULT_TOKEN, SalesforceStandin
from tests.integrations.conftest import ACCOUNT, call_standin, salesforce_sender
from tests.integrations.crm_fixtures import EXPANSION, THREAD, payload


def test_a_signal_becomes_a_task_on_the_account(salesforce: SalesforceStandin) -> None:
    delivered = salesforce_sender(salesforce)(payload(account_id=ACCOUNT), "crm:1:churn:salesforce")
    [task] = salesforce.tasks
    assert delivered.external_id == task.id
    assert delivered.external_url == f"{salesforce.url}/{task.id}"
    assert task.fields["WhatId"] == ACCOUNT
    assert task.fields["Subject"].startswith("Churn signal: cancellation_intent [escbot")
    assert task.fields["Priority"] == "High" and task.fields["Status"] == "Not Started"
    assert task.fields["Description"].splitlines() == [
        "Churn signal from the support bot.",
        "- the customer asks to cancel (churn.cancellation_intent)",
        'Customer wrote: "Cancel our contract, mail [email]"',
        f"Slack thread: {THREAD}",
    ]
    query, create = salesforce.requests
    assert query.verb == "GET" and query.path == "/services/data/v60.0/query"
    soql = parse_qs(query.query)["q"][0]
    marker = soql.split("'%")[1].split("%'")[0]
    assert soql == TASK_BY_MARKER.format(account_id=ACCOUNT, marker=marker)
    assert marker.startswith("escbot")
    assert create.verb == "POST" and create.path == "/services/data/v60.0/sobjects/Task"
    assert {r.header("Authorization") for r in salesforce.requests} == {f"Bearer {DEFAULT_TOKEN}"}


def test_an_expansion_signal_is_a_normal_priority_task(salesforce: SalesforceStandin) -> None:
    salesforce_sender(salesforce)(
        payload(EXPANSION, account_id=ACCOUNT), "crm:1:expansion:salesforce"
    )
    [task] = salesforce.tasks
    assert task.fields["Priority"] == "Normal"
    assert task.fields["Subject"].startswith("Expansion signal: seats")


def test_sending_the_same_key_again_finds_the_task(salesforce: SalesforceStandin) -> None:
    sender = salesforce_sender(salesforce)
    first = sender(payload(account_id=ACCOUNT), "crm:1:churn:salesforce")
    assert sender(payload(account_id=ACCOUNT), "crm:1:churn:salesforce") == first
    assert len(salesforce.tasks) == 1


def test_an_id_that_is_not_a_salesforce_id_never_reaches_a_query(
    salesforce: SalesforceStandin,
) -> None:
    with pytest.raises(PermanentError, match="not a Salesforce id"):
        salesforce_sender(salesforce)(payload(account_id="x' OR Name != '"), "k")
    assert salesforce.requests == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"WhatId": ACCOUNT, "Subject": "s" * 256}, "STRING_TOO_LONG"),
        ({"WhatId": ACCOUNT, "Bogus__c": "1"}, "INVALID_FIELD"),
        ({"WhatId": ACCOUNT, "Priority": "Urgent"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
        ({"Subject": "no account"}, "INVALID_CROSS_REFERENCE_KEY"),
    ],
)
def test_the_standin_refuses_what_salesforce_refuses(
    salesforce: SalesforceStandin, body: dict[str, Any], code: str
) -> None:
    with pytest.raises(PermanentError, match=code):
        call_standin(salesforce, "Salesforce", "/services/data/v60.0/sobjects/Task", body)
