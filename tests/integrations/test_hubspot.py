from __future__ import annotations

from typing import Any

import pytest

from app.delivery.outcomes import PermanentError
from standins.vendors.hubspot import DEFAULT_TOKEN, HubSpotStandin
from tests.integrations.conftest import COMPANY, call_standin, hubspot_sender
from tests.integrations.crm_fixtures import EXPANSION, NOW, THREAD, payload


def test_a_churn_signal_sets_churn_risk_and_notes_the_company_timeline(
    hubspot: HubSpotStandin,
) -> None:
    delivered = hubspot_sender(hubspot)(payload(company_id=COMPANY), "crm:1:churn:hubspot")
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
    hubspot_sender(hubspot)(payload(EXPANSION, company_id=COMPANY), "crm:1:expansion:hubspot")
    [note] = hubspot.notes
    assert "Expansion signal: seats" in note.properties["hs_note_body"]
    assert "churn_risk" not in hubspot.companies[COMPANY].properties
    assert [r.verb for r in hubspot.requests] == ["POST", "POST"]


def test_sending_the_same_key_again_finds_the_note(hubspot: HubSpotStandin) -> None:
    sender = hubspot_sender(hubspot)
    first = sender(payload(company_id=COMPANY), "crm:1:churn:hubspot")
    again = sender(payload(company_id=COMPANY), "crm:1:churn:hubspot")
    other = sender(payload(company_id=COMPANY), "crm:2:churn:hubspot")
    assert first == again and other != first
    assert len(hubspot.notes) == 2


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
        call_standin(hubspot, "HubSpot", "/crm/v3/objects/notes", body)
    assert problem in str(error.value)


def test_a_property_the_portal_lacks_is_refused(hubspot: HubSpotStandin) -> None:
    with pytest.raises(PermanentError, match="Property values were not valid"):
        call_standin(
            hubspot,
            "HubSpot",
            f"/crm/v3/objects/companies/{COMPANY}",
            {"properties": {"made_up": "1"}},
            method="PATCH",
        )
