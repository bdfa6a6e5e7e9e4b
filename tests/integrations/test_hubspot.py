from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from app.integrations.delivery import PermanentError
from app.integrations.http_json import call_json
from app.integrations.hubspot import KIND, HubSpotSender, hubspot_error
from app.integrations.outbox import LEASE
from app.sandbox.hubspot_standin import DEFAULT_TOKEN, HubSpotStandin
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

COMPANY = "9876543210"


@pytest.fixture
def hubspot() -> Iterator[HubSpotStandin]:
    with HubSpotStandin(companies={COMPANY: {"name": "Acme Corp"}}, hang_seconds=5) as server:
        yield server


def _sender(hubspot: HubSpotStandin, **kwargs: Any) -> HubSpotSender:
    options: dict[str, Any] = {"timeout": 2.0, **kwargs}
    return HubSpotSender(token=DEFAULT_TOKEN, api_url=hubspot.url, **options)


def test_a_churn_signal_sets_churn_risk_and_notes_the_company_timeline(
    hubspot: HubSpotStandin,
) -> None:
    delivered = _sender(hubspot)(payload(company_id=COMPANY), "crm:1:churn:hubspot")
    [note] = hubspot.notes
    assert delivered.external_id == note.id
    assert note.company_ids == (COMPANY,)
    assert note.properties["hs_timestamp"] == NOW.isoformat()
    body = note.properties["hs_note_body"]
    assert "<strong>Churn signal: cancellation_intent</strong>" in body
    assert "the customer asks to cancel (churn.cancellation_intent)" in body
    assert "Customer wrote: &quot;Cancel our contract, mail [email]&quot;" in body
    assert f"Slack thread: {THREAD}" in body
    assert hubspot.companies[COMPANY].properties["churn_risk"] == "high"
    patch, search, create = hubspot.requests
    assert [r.verb for r in (patch, search, create)] == ["PATCH", "POST", "POST"]
    assert patch.path == f"/crm/v3/objects/companies/{COMPANY}"
    assert patch.body == {"properties": {"churn_risk": "high"}}
    assert create.path == "/crm/v3/objects/notes"
    assert create.body["associations"] == [
        {
            "to": {"id": COMPANY},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 190}],
        }
    ]
    assert {r.header("Authorization") for r in hubspot.requests} == {f"Bearer {DEFAULT_TOKEN}"}


def test_an_expansion_signal_is_a_note_only(hubspot: HubSpotStandin) -> None:
    _sender(hubspot)(payload(EXPANSION, company_id=COMPANY), "crm:1:expansion:hubspot")
    [note] = hubspot.notes
    assert "Expansion signal: seats" in note.properties["hs_note_body"]
    assert "churn_risk" not in hubspot.companies[COMPANY].properties
    assert [r.verb for r in hubspot.requests] == ["POST", "POST"]


def test_sending_the_same_key_again_finds_the_note(hubspot: HubSpotStandin) -> None:
    sender = _sender(hubspot)
    first = sender(payload(company_id=COMPANY), "crm:1:churn:hubspot")
    again = sender(payload(company_id=COMPANY), "crm:1:churn:hubspot")
    other = sender(payload(company_id=COMPANY), "crm:2:churn:hubspot")
    assert first == again and other != first
    assert len(hubspot.notes) == 2


def test_a_crash_after_the_create_before_the_record_writes_no_second_note(
    engine: Engine, hubspot: HubSpotStandin
) -> None:
    outbox_id = enqueue_one(engine, KIND, payload(company_id=COMPANY))
    with pytest.raises(ProcessDied):
        deliver(engine, KIND, dies_after_sending(_sender(hubspot)))
    [note] = hubspot.notes
    assert stored(engine, outbox_id).status == "delivering"
    # the next worker takes the row over once the lease ran out
    assert deliver(engine, KIND, _sender(hubspot), NOW + LEASE).delivered == [outbox_id]
    assert len(hubspot.notes) == 1
    assert stored(engine, outbox_id).external_id == note.id


def test_server_errors_and_timeouts_are_retried(engine: Engine, hubspot: HubSpotStandin) -> None:
    outbox_id = enqueue_one(engine, KIND, payload(company_id=COMPANY))
    hubspot.mode = "error_500"
    assert deliver(engine, KIND, _sender(hubspot)).retried == [outbox_id]
    assert "HubSpot answered HTTP 500" in (stored(engine, outbox_id).last_error or "")
    hubspot.mode = "hang"
    later = NOW + timedelta(hours=1)
    assert deliver(engine, KIND, _sender(hubspot, timeout=0.2), later).retried == [outbox_id]
    assert "HubSpot unreachable" in (stored(engine, outbox_id).last_error or "")
    hubspot.mode = "ok"
    assert deliver(engine, KIND, _sender(hubspot), NOW + timedelta(days=1)).delivered == [outbox_id]
    assert len(hubspot.notes) == 1


def test_an_unknown_company_is_dead_lettered_with_the_reason(
    engine: Engine, hubspot: HubSpotStandin
) -> None:
    outbox_id = enqueue_one(engine, KIND, payload(company_id="1111"))
    assert deliver(engine, KIND, _sender(hubspot)).dead == [outbox_id]
    event = stored(engine, outbox_id)
    assert event.status == "dead"
    assert "HubSpot answered HTTP 404: OBJECT_NOT_FOUND: resource not found" in (
        event.last_error or ""
    )
    assert hubspot.notes == []


def test_a_wrong_token_is_dead_lettered(engine: Engine, hubspot: HubSpotStandin) -> None:
    outbox_id = enqueue_one(engine, KIND, payload(company_id=COMPANY))
    sender = HubSpotSender(token="pat-wrong", api_url=hubspot.url)
    assert deliver(engine, KIND, sender).dead == [outbox_id]
    assert "INVALID_AUTHENTICATION" in (stored(engine, outbox_id).last_error or "")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"properties": {"hs_note_body": "x"}}, "hs_timestamp is required"),
        ({"properties": {"hs_timestamp": "yesterday"}}, "hs_timestamp is required"),
        (
            {"properties": {"hs_timestamp": "1764158400000"}, "associations": [{"to": {}}]},
            "associations[0].to.id is required",
        ),
        (
            {
                "properties": {"hs_timestamp": "1764158400000"},
                "associations": [{"to": {"id": COMPANY}, "types": [{"associationTypeId": 190}]}],
            },
            "invalid associationCategory",
        ),
    ],
)
def test_the_standin_refuses_what_hubspot_refuses(
    hubspot: HubSpotStandin, body: dict[str, Any], problem: str
) -> None:
    with pytest.raises(PermanentError, match="VALIDATION_ERROR") as error:
        call_json(
            method="POST",
            url=hubspot.url + "/crm/v3/objects/notes",
            token=DEFAULT_TOKEN,
            service="HubSpot",
            timeout=2.0,
            read_error=hubspot_error,
            body=body,
        )
    assert problem in str(error.value)


def test_a_property_the_portal_lacks_is_refused(hubspot: HubSpotStandin) -> None:
    with pytest.raises(PermanentError, match="Property values were not valid"):
        call_json(
            method="PATCH",
            url=f"{hubspot.url}/crm/v3/objects/companies/{COMPANY}",
            token=DEFAULT_TOKEN,
            service="HubSpot",
            timeout=2.0,
            read_error=hubspot_error,
            body={"properties": {"made_up": "1"}},
        )
