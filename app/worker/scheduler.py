"""The worker's schedule: module-level jobs with explicit ids, one instance each, in UTC."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from slack_sdk import WebClient

from app.bugs.trackers import bug_trackers, report_problems
from app.conversations.intake import BotIdentity
from app.db.engine import session_scope
from app.integrations import jira, linear
from app.integrations.delivery import Sender
from app.integrations.outbox import deliver_due
from app.integrations.settings import jira_settings, linear_settings
from app.knowledge_gaps.drafts import OfflineDrafter
from app.knowledge_gaps.jobs import flag_hot_topics, post_weekly_digest
from app.runtime import Runtime
from app.slack.bug_reports import announce_bug_reports
from app.slack.gap_notifier import SlackGapNotifier
from app.slack.outbox_messages import KIND as SLACK_MESSAGE_KIND
from app.slack.outbox_messages import SlackMessageSender
from app.slack.surge_alerts import SlackSurgeAlerts
from app.surge.monitor import SurgeWatch
from app.worker.escalation_jobs import (
    post_missing_cards,
    post_missing_handoff_replies,
    sweep_claim_windows,
)
from app.worker.event_retry import prune_finished_events, retry_unfinished_events
from app.worker.report_jobs import post_leads_digest

logger = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def outbox_senders(runtime: Runtime, client: WebClient) -> dict[str, Sender]:
    """A sender for each kind of outbox event this deployment can deliver."""
    senders: dict[str, Sender] = {SLACK_MESSAGE_KIND: SlackMessageSender(client)}
    trackers = bug_trackers(runtime.settings, runtime.config).names
    linear_config = linear_settings(runtime.settings)
    if "linear" in trackers or linear_config.enabled:  # either way: a key and a team
        team = runtime.config.bug_reports.linear.team_id or linear_config.linear_team_id
        key = linear_config.linear_api_key
        assert key is not None and team is not None
        api_key, api_url = key.get_secret_value(), linear_config.linear_api_url
        senders[linear.KIND] = linear.LinearSender(team_id=team, api_key=api_key, api_url=api_url)
        senders[linear.COMMENT_KIND] = linear.LinearCommentSender(api_key=api_key, api_url=api_url)
    jira_config = jira_settings(runtime.settings)
    if "jira" in trackers or jira_config.enabled:  # the project may come from the config file
        project = jira_config.jira_project_key or runtime.config.bug_reports.jira.project_key
        configured = jira_config.model_copy(update={"jira_project_key": project})
        senders[jira.KIND] = jira.JiraSender.from_settings(configured)
        senders[jira.COMMENT_KIND] = jira.JiraCommentSender.from_settings(configured)
    return senders


def deliver_outbox(runtime: Runtime, client: WebClient, senders: dict[str, Sender]) -> None:
    """Deliver what is due, then post the issue links the trackers now have."""
    deliver_due(engine=runtime.engine, senders=senders, now=_now())
    announce_bug_reports(engine=runtime.engine, config=runtime.config, client=client, now=_now())


def build_scheduler(runtime: Runtime, client: WebClient, bot: BotIdentity) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=UTC)
    defaults = {"coalesce": True, "max_instances": 1, "replace_existing": True}
    scheduler.add_job(
        lambda: retry_unfinished_events(runtime=runtime, client=client, bot=bot, now=_now()),
        "interval",
        seconds=60,
        id="retry_unfinished_events",
        **defaults,
    )
    scheduler.add_job(
        lambda: sweep_claim_windows(runtime=runtime, client=client, now=_now()),
        "interval",
        seconds=30,
        id="sweep_claim_windows",
        **defaults,
    )
    scheduler.add_job(
        lambda: post_missing_handoff_replies(runtime=runtime, client=client, bot=bot, now=_now()),
        "interval",
        seconds=60,
        id="post_missing_handoff_replies",
        **defaults,
    )
    scheduler.add_job(
        lambda: post_missing_cards(runtime=runtime, client=client, now=_now()),
        "interval",
        seconds=60,
        id="post_missing_cards",
        **defaults,
    )
    scheduler.add_job(
        lambda: post_leads_digest(runtime=runtime, client=client, now=_now()),
        CronTrigger.from_crontab(runtime.config.reports.leads_digest_cron, timezone=UTC),
        id="post_leads_digest",
        **defaults,
    )
    senders = outbox_senders(runtime, client)
    scheduler.add_job(
        lambda: deliver_outbox(runtime, client, senders),
        "interval",
        seconds=30,
        id="deliver_outbox",
        **defaults,
    )
    watch = SurgeWatch()
    alerts = SlackSurgeAlerts(client, channel=runtime.config.leads_channel)
    scheduler.add_job(
        lambda: watch.check(
            engine=runtime.engine, config=runtime.config, alerts=alerts, now=_now()
        ),
        "interval",
        minutes=1,
        id="watch_for_surges",
        **defaults,
    )
    gaps = SlackGapNotifier(client)
    scheduler.add_job(
        lambda: post_weekly_digest(
            engine=runtime.engine,
            config=runtime.config,
            notifier=gaps,
            drafter=OfflineDrafter(),
            now=_now(),
        ),
        CronTrigger.from_crontab(runtime.config.reports.gap_digest_cron, timezone=UTC),
        id="post_knowledge_gap_digest",
        **defaults,
    )
    scheduler.add_job(
        lambda: flag_hot_topics(
            engine=runtime.engine, config=runtime.config, notifier=gaps, now=_now()
        ),
        "interval",
        seconds=60,
        id="flag_hot_gap_topics",
        **defaults,
    )
    scheduler.add_job(
        lambda: prune_finished_events(runtime=runtime, now=_now()),
        "cron",
        hour=3,
        id="prune_finished_events",
        **defaults,
    )
    return scheduler


def run_worker(runtime: Runtime, client: WebClient) -> None:
    auth = client.auth_test()
    bot = BotIdentity(team_id=str(auth["team_id"]), user_id=str(auth["user_id"]))
    problems = bug_trackers(runtime.settings, runtime.config).problems
    with session_scope(runtime.engine) as session:
        report_problems(session=session, config=runtime.config, problems=problems, now=_now())
    scheduler = build_scheduler(runtime, client, bot)
    logger.info("worker started with jobs: %s", ", ".join(j.id for j in scheduler.get_jobs()))
    scheduler.start()
