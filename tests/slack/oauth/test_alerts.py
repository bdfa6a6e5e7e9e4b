"""Team alerts with two workspaces installed: each alert goes to its own workspace's channel, with
that installation's token, from the worker's outbox job."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlmodel import Session, select

from app.db.models import as_utc
from app.db.outbox_table import OutboxEvent
from app.delivery.outbox import deliver_due
from app.delivery.outcomes import PermanentError
from app.integrations.alerts import KIND as ALERT_KIND
from app.slack.team_alerts import SlackAlertSender
from app.slack.workspaces import installation_clients, installed_workspaces
from app.worker.escalation_jobs import sweep_claim_windows
from app.worker.outbox_jobs import outbox_senders
from app.worker.scheduler import build_scheduler
from standins.local_slack import LocalSlack
from tests.slack.conftest import Rows
from tests.slack.oauth.conftest import TWO_WORKSPACES, installed_twice
from tests.slack.oauth.test_isolation import escalate_in_alpha

WITH_ALERTS = TWO_WORKSPACES.replace(
    "    leads: [U0LEADA]\n",
    "    leads: [U0LEADA]\n    alerts: {enterprise_unclaimed: C0ALERTA, churn_signal: C0ALERTA}\n",
).replace(
    "    leads: [U0LEADB]\n",
    "    leads: [U0LEADB]\n    alerts: {enterprise_unclaimed: C0ALERTB, churn_signal: C0ALERTB}\n",
)


@pytest.fixture
def alerting(database_url: str, tmp_path: Path) -> Iterator[LocalSlack]:
    with installed_twice(database_url, tmp_path, WITH_ALERTS) as local:
        yield local


def run_outbox_job(slack: LocalSlack) -> None:
    """One run of the worker's ``deliver_outbox`` job, as the OAuth worker schedules it."""
    assert slack.runtime is not None
    scheduler = build_scheduler(slack.runtime, installed_workspaces(slack.runtime))
    job = scheduler.get_job("deliver_outbox")
    assert job is not None
    job.func()


def _alert_posts(slack: LocalSlack) -> dict[str, list[str | None]]:
    posts: dict[str, list[str | None]] = {}
    for call in slack.standin.calls_to("chat.postMessage"):
        if call.args["channel"] in ("C0ALERTA", "C0ALERTB") and call.ok:
            posts.setdefault(call.args["channel"], []).append(call.team_id)
    return posts


def test_an_alpha_alert_goes_to_alphas_channel_with_alphas_token(alerting: LocalSlack) -> None:
    slack = alerting
    assert slack.runtime is not None
    escalate_in_alpha(slack)  # "cancel our contract": a churn signal in Alpha
    with Session(slack.runtime.engine) as session:
        [queued] = session.exec(select(OutboxEvent).where(OutboxEvent.kind == ALERT_KIND)).all()
    assert '"team_id": "T0ALPHA"' in queued.payload
    run_outbox_job(slack)
    assert _alert_posts(slack) == {"C0ALERTA": ["T0ALPHA"]}
    with Session(slack.runtime.engine) as session:
        assert session.get_one(OutboxEvent, queued.id).status == "delivered"


def test_an_unclaimed_enterprise_alert_stays_in_its_workspace(alerting: LocalSlack) -> None:
    slack = alerting
    assert slack.runtime is not None
    escalate_in_alpha(slack)
    [escalation] = Rows(slack).escalations()
    later = as_utc(escalation.created_at) + timedelta(minutes=6)
    for workspace in installed_workspaces(slack.runtime)():
        sweep_claim_windows(runtime=workspace.runtime, client=workspace.client, now=later)
    senders = outbox_senders(slack.runtime, installation_clients(slack.runtime))
    deliver_due(engine=slack.runtime.engine, senders=senders, now=later)  # queued at ``later``
    posts = _alert_posts(slack)
    assert set(posts) == {"C0ALERTA"}  # churn and unclaimed: both Alpha's, none in Beta's
    assert posts["C0ALERTA"] == ["T0ALPHA", "T0ALPHA"]
    texts = [m["text"] for m in slack.standin.messages_in("C0ALERTA")]
    assert any("is unclaimed" in text for text in texts)


def test_integration_problems_reach_every_installations_leads(alerting: LocalSlack) -> None:
    slack = alerting
    assert slack.runtime is not None
    settings = slack.runtime.settings.model_copy(
        update={"hubspot_access_token": SecretStr("pat-na1-x"), "hubspot_api_url": "hubapi.com"}
    )
    runtime = replace(slack.runtime, settings=settings)  # HubSpot misconfigured
    scheduler = build_scheduler(runtime, installed_workspaces(runtime))
    job = scheduler.get_job("deliver_outbox")
    assert job is not None
    job.func()
    leads = {
        call.args["channel"]: call.team_id
        for call in slack.standin.calls_to("chat.postMessage")
        if call.args["channel"].startswith("C0LEADS") and call.ok
    }
    assert leads == {"C0LEADSA": "T0ALPHA", "C0LEADSB": "T0BETA"}


def test_an_alert_for_a_workspace_without_installation_is_refused_clearly() -> None:
    sender = SlackAlertSender(lambda team_id: None)
    payload = {"team_id": "T0GONE", "channel": "C0X", "title": "t", "fields": []}
    with pytest.raises(PermanentError, match="no installation of workspace T0GONE"):
        sender(payload, "key")
