"""The worker's schedule, and the weekly digest posted with a controlled clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from pydantic import SecretStr

from app.config_file import parse_config
from app.conversations.intake import BotIdentity
from app.db.models import utcnow
from app.errors import StartupError
from app.escalations import thread_notices
from app.integrations import linear
from app.slack.client import build_web_client
from app.slack.workspaces import single_workspace
from app.surge import notices as surge_notices
from app.worker.outbox_jobs import outbox_senders
from app.worker.report_jobs import post_leads_digest
from app.worker.scheduler import build_scheduler
from standins.local_slack import LocalSlack
from tests.slack.test_handoff import escalate
from tests.test_config_file import VALID


def test_every_job_is_scheduled_once_with_an_id(slack: LocalSlack) -> None:
    assert slack.runtime is not None
    scheduler = build_scheduler(
        slack.runtime,
        single_workspace(
            slack.runtime,
            build_web_client(slack.runtime.settings),
            BotIdentity("T0OURS", "U0BOT"),
        ),
    )
    ids = [job.id for job in scheduler.get_jobs()]
    assert len(ids) == len(set(ids))
    for job_id in (
        "retry_unfinished_events",
        "sweep_claim_windows",
        "post_missing_cards",
        "post_missing_handoff_replies",
        "deliver_outbox",
        "post_leads_digest",
        "watch_for_surges",
        "run_surge_calendar",
        "refresh_customer_wait_lines",
        "post_knowledge_gap_digest",
        "flag_hot_gap_topics",
        "prune_finished_events",
    ):
        assert job_id in ids
    for job in scheduler.get_jobs():
        assert job.max_instances == 1 and job.coalesce
    # A restarted worker finishes what a dead process left half-done at once, not an interval
    # later (the other jobs get their first run time when the scheduler starts).
    at_start = {j.id for j in scheduler.get_jobs() if getattr(j, "next_run_time", None)}
    assert at_start == {
        "retry_unfinished_events",
        "post_missing_handoff_replies",
        "post_missing_cards",
        "deliver_outbox",
        "sweep_claim_windows",
        "post_leads_digest",
        "post_knowledge_gap_digest",
    }


def test_weekly_digest_reaches_the_leads_channel(slack: LocalSlack) -> None:
    assert slack.runtime is not None
    escalate(slack, "C0GLOBEX", "Quiero un reembolso", "Maria")
    client = build_web_client(slack.runtime.settings)
    ts = post_leads_digest(runtime=slack.runtime, client=client, now=utcnow() + timedelta(hours=1))
    [digest] = [m for m in slack.standin.messages_in("C0LEADS") if m["ts"] == ts]
    assert "Weekly escalation digest" in digest["text"]
    assert "1 conversations, 1 escalations" in str(digest["blocks"])


def test_a_bad_cron_expression_is_a_config_error() -> None:
    with pytest.raises(StartupError, match=r"reports\.leads_digest_cron: .*not a crontab"):
        parse_config(VALID + "reports: {leads_digest_cron: 'every monday'}\n")


def test_the_outbox_sweep_is_scheduled_and_linear_joins_it_when_configured(
    slack: LocalSlack,
) -> None:
    assert slack.runtime is not None
    client = build_web_client(slack.runtime.settings)
    bot = BotIdentity("T0OURS", "U0BOT")
    jobs = [
        j.id
        for j in build_scheduler(
            slack.runtime, single_workspace(slack.runtime, client, bot)
        ).get_jobs()
    ]
    assert "deliver_outbox" in jobs  # the thread notices, at least, go out through it
    assert "send_surge_notices" not in jobs  # surge notices too
    assert linear.KIND not in outbox_senders(slack.runtime, client)
    assert thread_notices.KIND in outbox_senders(slack.runtime, client)
    assert surge_notices.KIND in outbox_senders(slack.runtime, client)
    configured = replace(
        slack.runtime,
        settings=slack.runtime.settings.model_copy(
            update={"linear_api_key": SecretStr("lin_api_test"), "linear_team_id": "team-1"}
        ),
    )
    scheduler = build_scheduler(configured, single_workspace(configured, client, bot))
    assert "deliver_outbox" in [j.id for j in scheduler.get_jobs()]
    assert linear.KIND in outbox_senders(configured, client)
