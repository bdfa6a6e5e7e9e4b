from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest
from sqlalchemy.engine import Engine

from app.integrations.delivery import PermanentError
from app.integrations.http_json import call_json
from app.integrations.outbox import LEASE
from app.integrations.salesforce import (
    KIND,
    TASK_BY_MARKER,
    SalesforceSender,
    salesforce_error,
)
from app.sandbox.salesforce_standin import DEFAULT_TOKEN, SalesforceStandin
from tests.integrations.crm_fixtures import (
    EXPANSION,
    NOW,
    THREAD,
    ProcessDied,
    deliver,
    dies_after_sending,
    enqueue_one,
    payload,
    stored,
)

ACCOUNT = "001Dn00000AbCdEfGH"


@pytest.fixture
def salesforce() -> Iterator[SalesforceStandin]:
    with SalesforceStandin(accounts={ACCOUNT: {"Name": "Acme Corp"}}, hang_seconds=5) as server:
        yield server


def _sender(salesforce: SalesforceStandin, **kwargs: Any) -> SalesforceSender:
    options: dict[str, Any] = {"timeout": 2.0, **kwargs}
    return SalesforceSender(token=DEFAULT_TOKEN, instance_url=salesforce.url, **options)


def test_a_signal_becomes_a_task_on_the_account(salesforce: SalesforceStandin) -> None:
    delivered = _sender(salesforce)(payload(account_id=ACCOUNT), "crm:1:churn:salesforce")
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
    _sender(salesforce)(payload(EXPANSION, account_id=ACCOUNT), "crm:1:expansion:salesforce")
    [task] = salesforce.tasks
    assert task.fields["Priority"] == "Normal"
    assert task.fields["Subject"].startswith("Expansion signal: seats")


def test_sending_the_same_key_again_finds_the_task(salesforce: SalesforceStandin) -> None:
    sender = _sender(salesforce)
    first = sender(payload(account_id=ACCOUNT), "crm:1:churn:salesforce")
    assert sender(payload(account_id=ACCOUNT), "crm:1:churn:salesforce") == first
    assert len(salesforce.tasks) == 1


def test_a_crash_after_the_create_before_the_record_writes_no_second_task(
    engine: Engine, salesforce: SalesforceStandin
) -> None:
    outbox_id = enqueue_one(engine, KIND, payload(account_id=ACCOUNT))
    with pytest.raises(ProcessDied):
        deliver(engine, KIND, dies_after_sending(_sender(salesforce)))
    [task] = salesforce.tasks
    assert deliver(engine, KIND, _sender(salesforce), NOW + LEASE).delivered == [outbox_id]
    assert len(salesforce.tasks) == 1
    assert stored(engine, outbox_id).external_id == task.id


def test_server_errors_and_timeouts_are_retried(
    engine: Engine, salesforce: SalesforceStandin
) -> None:
    outbox_id = enqueue_one(engine, KIND, payload(account_id=ACCOUNT))
    salesforce.mode = "error_500"
    assert deliver(engine, KIND, _sender(salesforce)).retried == [outbox_id]
    salesforce.mode = "hang"
    later = NOW + timedelta(hours=1)
    assert deliver(engine, KIND, _sender(salesforce, timeout=0.2), later).retried == [outbox_id]
    assert "Salesforce unreachable" in (stored(engine, outbox_id).last_error or "")
    salesforce.mode = "ok"
    assert deliver(engine, KIND, _sender(salesforce), NOW + timedelta(days=1)).delivered == [
        outbox_id
    ]
    assert len(salesforce.tasks) == 1


def test_an_unknown_account_is_dead_lettered_with_the_reason(
    engine: Engine, salesforce: SalesforceStandin
) -> None:
    outbox_id = enqueue_one(engine, KIND, payload(account_id="001Dn00000ZZZZZZZZ"))
    assert deliver(engine, KIND, _sender(salesforce)).dead == [outbox_id]
    assert (
        "Salesforce answered HTTP 400: INVALID_CROSS_REFERENCE_KEY: invalid cross reference id"
        in (stored(engine, outbox_id).last_error or "")
    )


def test_an_expired_session_is_dead_lettered(engine: Engine, salesforce: SalesforceStandin) -> None:
    outbox_id = enqueue_one(engine, KIND, payload(account_id=ACCOUNT))
    sender = SalesforceSender(token="00Dexpired", instance_url=salesforce.url)
    assert deliver(engine, KIND, sender).dead == [outbox_id]
    assert "INVALID_SESSION_ID: Session expired or invalid" in (
        stored(engine, outbox_id).last_error or ""
    )


def test_an_id_that_is_not_a_salesforce_id_never_reaches_a_query(
    salesforce: SalesforceStandin,
) -> None:
    with pytest.raises(PermanentError, match="not a Salesforce id"):
        _sender(salesforce)(payload(account_id="x' OR Name != '"), "k")
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
        call_json(
            method="POST",
            url=salesforce.url + "/services/data/v60.0/sobjects/Task",
            token=DEFAULT_TOKEN,
            service="Salesforce",
            timeout=2.0,
            read_error=salesforce_error,
            body=body,
        )
