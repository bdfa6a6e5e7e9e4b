"""Account signals end to end: a customer's message in a shared channel, the stored decision
with its outbox rows, the worker's delivery to the HubSpot and Salesforce stand-ins and to the
alerts channel; and the alert for an enterprise escalation nobody claimed."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.config import EXAMPLE_CONFIG
from app.db.outbox_table import OutboxEvent
from app.delivery.outbox import DeliveryReport, deliver_due
from app.escalations.overflow import sweep_overflow
from app.integrations.alerts import KIND as ALERT_KIND
from app.integrations.senders import configured_senders
from app.knowledge import SAMPLE_KB_PATH
from app.slack.agent_desk import SlackAgentDesk
from app.slack.client import build_web_client
from app.slack.team_alerts import SlackAlertSender
from standins.local_slack import LocalSlack
from standins.vendors import hubspot as hubspot_standin
from standins.vendors import salesforce as salesforce_standin
from standins.vendors.hubspot import HubSpotStandin
from standins.vendors.salesforce import SalesforceStandin
from tests.slack.test_handoff import cards_in, escalate, escalations

ACME, GLOBEX = "C0ACME", "C0GLOBEX"
CS_ALERTS, SUPPORT_LEADS = "C0CSALERTS", "C0SUPLEADS"
COMPANY, SF_ACCOUNT = "9876543210", "001Dn00000AbCdEfGH"


@pytest.fixture
def crm_config(tmp_path: Path) -> Path:
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    text = text.replace(
        '    crm_id: "0017000000abc"',
        f'    crm_id: "0017000000abc"\n    hubspot_company_id: "{COMPANY}"\n'
        f'    salesforce_account_id: "{SF_ACCOUNT}"',
    )
    text = text.replace("path: app/knowledge/sample_kb", f"path: {SAMPLE_KB_PATH}")
    text += f"\nalerts:\n  churn_signal: {CS_ALERTS}\n  enterprise_unclaimed: {SUPPORT_LEADS}\n"
    path = tmp_path / "escalation.yml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def crms() -> Iterator[tuple[HubSpotStandin, SalesforceStandin]]:
    with (
        HubSpotStandin(
            companies={COMPANY: {"name": "Acme Corp", "arr": "250000", "hubspot_owner_id": "77"}},
            owners={"77": {"firstName": "Dana", "lastName": "Lee"}},
        ) as hubspot,
        SalesforceStandin(accounts={SF_ACCOUNT: {"Name": "Acme Corp"}}) as salesforce,
    ):
        yield hubspot, salesforce


@pytest.fixture
def slack(
    database_url: str, crm_config: Path, crms: tuple[HubSpotStandin, SalesforceStandin]
) -> Iterator[LocalSlack]:
    hubspot, salesforce = crms
    with LocalSlack(
        database_url=database_url,
        config_path=crm_config,
        hubspot_access_token=hubspot_standin.DEFAULT_TOKEN,
        hubspot_api_url=hubspot.url,
        salesforce_instance_url=salesforce.url,
        salesforce_access_token=salesforce_standin.DEFAULT_TOKEN,
    ) as local:
        yield local


def outbox(slack: LocalSlack) -> list[OutboxEvent]:
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        return list(session.exec(select(OutboxEvent).order_by(col(OutboxEvent.id))))


def run_worker(slack: LocalSlack, now: datetime | None = None) -> DeliveryReport:
    """What the worker's ``deliver_outbox`` job does."""
    assert slack.runtime is not None
    senders = {
        **configured_senders(slack.runtime.settings),
        ALERT_KIND: SlackAlertSender(build_web_client(slack.runtime.settings)),
    }
    return deliver_due(
        engine=slack.runtime.engine,
        senders=senders,
        now=now or datetime.now(UTC),
        rng=random.Random(1),
    )


def alerts_in(slack: LocalSlack, channel: str) -> list[dict[str, Any]]:
    return [m for m in slack.standin.messages_in(channel) if m.get("bot_id")]


def test_a_cancellation_in_a_shared_channel_reaches_hubspot_salesforce_and_the_team(
    slack: LocalSlack, crms: tuple[HubSpotStandin, SalesforceStandin]
) -> None:
    hubspot, salesforce = crms
    customer, thread = escalate(
        slack,
        ACME,
        "We want to cancel our contract <!channel>. Mail me at jane.doe@acme-corp.com",
    )
    # the handoff card carries the CRM's account facts (read after the ack)
    [card] = cards_in(slack, "C0AM")
    fields = json.dumps(card["blocks"])
    assert "*Owner*\\nDana Lee" in fields and "*ARR*\\n$250,000" in fields
    rows = outbox(slack)
    assert sorted(r.kind for r in rows) == ["hubspot.signal", "salesforce.signal", "slack.alert"]
    assert {r.status for r in rows} == {"pending"}  # stored with the decision, sent by the worker
    assert hubspot.notes == [] and salesforce.tasks == []

    report = run_worker(slack)
    assert sorted(report.delivered) == sorted(r.id for r in rows)

    link = f"https://slack.com/archives/{ACME}/p{thread.replace('.', '')}"
    [note] = hubspot.notes
    assert note.company_ids == (COMPANY,)
    assert "churn.cancellation_intent" in note.properties["hs_note_body"]
    assert link in note.properties["hs_note_body"]
    assert hubspot.companies[COMPANY].properties["churn_risk"] == "high"
    [task] = salesforce.tasks
    assert task.fields["WhatId"] == SF_ACCOUNT and link in task.fields["Description"]
    for request in [*hubspot.requests, *salesforce.requests]:
        assert "jane.doe@acme-corp.com" not in request.raw.decode()

    [alert] = alerts_in(slack, CS_ALERTS)
    assert alert["text"] == "Churn signal: Acme Corp (enterprise)"
    blocks = json.dumps(alert["blocks"])
    assert "&lt;!channel&gt;" in blocks and "<!channel>" not in blocks
    assert "[email]" in blocks and "jane.doe" not in blocks
    assert f"<{link}|Open the thread>" in blocks

    # The same thread again: one signal per conversation and kind.
    slack.say(
        ACME,
        user=customer.user_id,
        team=customer.team_id,
        text="Seriously, cancel the contract now",
        thread_ts=thread,
    )
    assert len(outbox(slack)) == 3
    assert run_worker(slack).attempted == 0
    assert len(hubspot.notes) == 1 and len(alerts_in(slack, CS_ALERTS)) == 1


def test_an_expansion_question_is_noted_without_a_churn_alert(
    slack: LocalSlack, crms: tuple[HubSpotStandin, SalesforceStandin]
) -> None:
    hubspot, _ = crms
    escalate(slack, ACME, "How do we add 25 more seats to our workspace?")
    assert sorted(r.kind for r in outbox(slack)) == ["hubspot.signal", "salesforce.signal"]
    run_worker(slack)
    [note] = hubspot.notes
    assert "Expansion signal: seats" in note.properties["hs_note_body"]
    assert "churn_risk" not in hubspot.companies[COMPANY].properties
    assert alerts_in(slack, CS_ALERTS) == []


def test_accounts_without_crm_ids_send_nothing_to_the_crms(slack: LocalSlack) -> None:
    escalate(slack, GLOBEX, "Please cancel our subscription at the end of the month")
    assert [r.kind for r in outbox(slack)] == ["slack.alert"]


def test_an_unclaimed_enterprise_escalation_alerts_the_team_once(slack: LocalSlack) -> None:
    assert slack.runtime is not None
    escalate(slack, ACME, "Our dashboards show wrong totals since this morning")
    [escalation] = escalations(slack)
    assert outbox(slack) == []  # no account signal in this message
    desk = SlackAgentDesk(build_web_client(slack.runtime.settings))
    created = escalation.created_at.replace(tzinfo=UTC)

    def sweep(minutes: int) -> int:
        return sweep_overflow(
            engine=slack.runtime.engine,  # type: ignore[union-attr]
            config=slack.runtime.config,  # type: ignore[union-attr]
            desk=desk,
            now=created + timedelta(minutes=minutes),
        )

    assert sweep(4) == 0 and outbox(slack) == []
    assert sweep(6) == 1
    # the team alert (besides the reminders, outbox rows of their own)
    [row] = [r for r in outbox(slack) if r.kind == ALERT_KIND]
    assert row.idempotency_key == f"enterprise_unclaimed:{escalation.id}"
    sweep(7)
    sweep(12)  # the leads step: no second team alert
    assert len([r for r in outbox(slack) if r.kind == ALERT_KIND]) == 1
    run_worker(slack, created + timedelta(minutes=13))
    [alert] = alerts_in(slack, SUPPORT_LEADS)
    assert alert["text"] == f"Enterprise escalation #{escalation.id} from Acme Corp is unclaimed"
    assert "6 min (window 5 min)" in json.dumps(alert["blocks"])
    assert len(cards_in(slack, "C0OVERFLOW")) == 1
