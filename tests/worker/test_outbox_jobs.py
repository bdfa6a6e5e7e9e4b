"""The worker's outbox senders: every configured integration, team alerts when there are any,
and a misconfiguration posted once to the leads channel instead of a crash."""

from __future__ import annotations

import random
from dataclasses import replace

from pydantic import SecretStr
from sqlmodel import Session, select

from app.config_file import AlertsConfig, BugReportsConfig
from app.conversations.intake import BotIdentity
from app.db.models import utcnow
from app.db.outbox_table import OutboxEvent
from app.delivery.outbox import deliver_due
from app.escalations.email_follow_up import EMAIL_KIND, EmailSender
from app.escalations.reminders import KIND as REMINDER
from app.escalations.thread_notices import KIND as THREAD_NOTICE
from app.integrations import hubspot
from app.integrations.alerts import KIND as ALERT_KIND
from app.slack.client import build_web_client
from app.slack.workspaces import single_workspace
from app.surge.notices import KIND as SURGE_NOTICE
from app.worker.outbox_jobs import outbox_senders
from app.worker.scheduler import build_scheduler
from standins.local_slack import LocalSlack


def test_no_integration_and_no_alerts_means_only_the_products_own_slack_deliveries(
    slack: LocalSlack,
) -> None:
    assert slack.runtime is not None
    senders = outbox_senders(slack.runtime, build_web_client(slack.runtime.settings))
    assert set(senders) == {THREAD_NOTICE, SURGE_NOTICE, REMINDER}


def test_alert_channels_alone_schedule_the_delivery_job(slack: LocalSlack) -> None:
    assert slack.runtime is not None
    config = slack.runtime.config.model_copy(
        update={"alerts": AlertsConfig(churn_signal="C0LEADS")}
    )
    runtime = replace(slack.runtime, config=config)
    client = build_web_client(slack.runtime.settings)
    assert set(outbox_senders(runtime, client)) == {
        ALERT_KIND,
        THREAD_NOTICE,
        SURGE_NOTICE,
        REMINDER,
    }
    workspace = single_workspace(runtime, client, BotIdentity("T0OURS", "U0BOT"))
    jobs = build_scheduler(runtime, workspace).get_jobs()
    assert "deliver_outbox" in [job.id for job in jobs]


def test_a_misconfigured_crm_is_posted_to_the_leads_once(slack: LocalSlack) -> None:
    assert slack.runtime is not None
    settings = slack.runtime.settings.model_copy(
        update={
            "hubspot_access_token": SecretStr("pat-na1-x"),
            "hubspot_api_url": "hubapi.com",
            "salesforce_access_token": SecretStr("00Dx!AQ"),
        }
    )
    runtime = replace(slack.runtime, settings=settings)
    client = build_web_client(settings)
    senders = outbox_senders(runtime, client)
    # both CRMs off, the worker still starts
    assert set(senders) == {ALERT_KIND, THREAD_NOTICE, SURGE_NOTICE, REMINDER}
    assert hubspot.KIND not in senders
    outbox_senders(runtime, client)  # a restart does not post twice
    with Session(runtime.engine) as session:
        assert len(session.exec(select(OutboxEvent)).all()) == 2
    deliver_due(engine=runtime.engine, senders=senders, now=utcnow(), rng=random.Random(1))
    posted = [m["text"] for m in slack.standin.messages_in("C0LEADS") if m.get("bot_id")]
    assert posted == ["An integration is misconfigured"] * 2
    blocks = str([m["blocks"] for m in slack.standin.messages_in("C0LEADS")])
    assert "HUBSPOT_API_URL must be an http(s) URL" in blocks
    assert "SALESFORCE_INSTANCE_URL is not" in blocks
    assert "pat-na1-x" not in blocks and "00Dx" not in blocks


def test_the_chosen_bug_trackers_get_issue_and_comment_senders(slack: LocalSlack) -> None:
    assert slack.runtime is not None
    client = build_web_client(slack.runtime.settings)
    config = slack.runtime.config.model_copy(
        update={
            "bug_reports": BugReportsConfig(trackers=["linear", "jira"]),
        }
    )
    configured = replace(
        slack.runtime,
        config=config,
        settings=slack.runtime.settings.model_copy(
            update={
                "linear_api_key": SecretStr("lin_api_test"),
                "linear_team_id": "team-1",
                "jira_base_url": "https://acme.atlassian.net",
                "jira_email": "bot@acme.test",
                "jira_api_token": SecretStr("token"),
                "jira_project_key": "SUP",
            }
        ),
    )
    assert set(outbox_senders(configured, client)) == {
        ALERT_KIND,
        THREAD_NOTICE,
        SURGE_NOTICE,
        REMINDER,
        "linear.issue",
        "linear.comment",
        "jira.issue",
        "jira.comment",
    }
    # chosen without credentials: off, and the leads hear of it (once, however many restarts)
    unconfigured = replace(slack.runtime, config=config)
    assert set(outbox_senders(unconfigured, client)) == {
        ALERT_KIND,
        THREAD_NOTICE,
        SURGE_NOTICE,
        REMINDER,
    }
    outbox_senders(unconfigured, client)
    with Session(slack.runtime.engine) as session:
        problems = [
            e
            for e in session.exec(select(OutboxEvent))
            if "integration-problem" in e.idempotency_key
        ]
    assert len(problems) == 2  # linear and jira
    assert all("bug_reports.trackers lists" in p.payload for p in problems)


def test_follow_up_emails_are_delivered_by_the_sweep_once_a_mail_server_is_configured(
    slack: LocalSlack,
) -> None:
    assert slack.runtime is not None
    client = build_web_client(slack.runtime.settings)
    assert EMAIL_KIND not in outbox_senders(slack.runtime, client)  # they wait, pending
    settings = slack.runtime.settings.model_copy(
        update={"smtp_url": SecretStr("smtp://127.0.0.1:2525"), "smtp_from": "support@example.com"}
    )
    configured = replace(slack.runtime, settings=settings)
    assert isinstance(outbox_senders(configured, client)[EMAIL_KIND], EmailSender)
    jobs = [
        job.id
        for job in build_scheduler(
            configured, single_workspace(configured, client, BotIdentity("T0OURS", "U0BOT"))
        ).get_jobs()
    ]
    assert "deliver_outbox" in jobs and "deliver_follow_up_emails" not in jobs
