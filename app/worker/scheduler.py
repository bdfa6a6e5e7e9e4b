"""The worker's schedule: module-level jobs with explicit ids, one instance each, in UTC."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from slack_sdk import WebClient

from app.conversations.intake import BotIdentity
from app.knowledge_gaps.drafts import OfflineDrafter
from app.knowledge_gaps.jobs import flag_hot_topics, post_weekly_digest
from app.runtime import Runtime
from app.slack.gap_notifier import SlackGapNotifier
from app.slack.surge_alerts import SlackSurgeAlerts
from app.surge.monitor import SurgeWatch
from app.worker.escalation_jobs import (
    post_missing_cards,
    post_missing_handoff_replies,
    sweep_claim_windows,
)
from app.worker.event_retry import prune_finished_events, retry_unfinished_events
from app.worker.outbox_jobs import deliver_outbox, outbox_senders
from app.worker.report_jobs import post_leads_digest

logger = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


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
    if senders:
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
    scheduler = build_scheduler(runtime, client, bot)
    logger.info("worker started with jobs: %s", ", ".join(j.id for j in scheduler.get_jobs()))
    scheduler.start()
