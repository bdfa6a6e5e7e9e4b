"""The worker's schedule: module-level jobs with explicit ids, one instance each, in UTC."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from slack_sdk import WebClient

from app.knowledge_gaps.drafts import OfflineDrafter
from app.knowledge_gaps.jobs import flag_hot_topics, gap_channel, post_weekly_digest
from app.mail.smtp_sender import SmtpSender
from app.runtime import Runtime
from app.slack.gap_notifier import SlackGapNotifier
from app.slack.sent_lookup import find_keyed_message
from app.slack.surge_alerts import SlackSurgeAlerts
from app.slack.surge_notices import SlackNoticePoster
from app.slack.workspaces import (
    ClientForTeam,
    Workspace,
    WorkspaceSource,
    bot_identity,
    installation_clients,
    installed_workspaces,
    single_workspace,
)
from app.surge.monitor import SurgeWatch
from app.worker.escalation_jobs import (
    deliver_follow_up_emails,
    post_missing_cards,
    post_missing_handoff_replies,
    refresh_customer_wait_lines,
    sweep_claim_windows,
)
from app.worker.event_retry import prune_finished_events, retry_unfinished_events
from app.worker.outbox_jobs import deliver_outbox, outbox_senders
from app.worker.report_jobs import post_leads_digest
from app.worker.scheduled_slots import FindPost, run_due_slot
from app.worker.surge_jobs import run_surge_calendar, send_surge_notices

logger = logging.getLogger(__name__)

SLOT_CHECK_SECONDS = 30  # how often the cron digests look for a due slot (taken once in the db)


def _now() -> datetime:
    return datetime.now(UTC)


def _slot_job_id(job: str, runtime: Runtime) -> str:
    """A cron job's slots are taken per installation (one digest per workspace and slot)."""
    team = runtime.team_filter
    return f"{job}:{team}" if team else job


def _finder(workspace: Workspace, channel: str) -> FindPost:
    """Looks in ``channel`` for a digest a worker that died had posted."""
    return lambda key, since: find_keyed_message(
        workspace.client, channel=channel, key=key, since=since
    )


def _for_each(workspaces: WorkspaceSource, job: Callable[[Workspace], object]) -> None:
    """Run ``job`` for every workspace; one workspace's failure does not stop the others."""
    for workspace in workspaces():
        try:
            job(workspace)
        except Exception:
            logger.exception("job failed for team %s", workspace.runtime.team.team_id)


def build_scheduler(runtime: Runtime, workspaces: WorkspaceSource) -> BlockingScheduler:
    """The jobs; those that act for a workspace run once per workspace (installation)."""
    scheduler = BlockingScheduler(timezone=UTC)
    defaults = {"coalesce": True, "max_instances": 1, "replace_existing": True}
    scheduler.add_job(
        lambda: _for_each(
            workspaces,
            lambda w: retry_unfinished_events(
                runtime=w.runtime, client=w.client, bot=w.bot, now=_now()
            ),
        ),
        "interval",
        seconds=60,
        id="retry_unfinished_events",
        **defaults,
    )
    scheduler.add_job(
        lambda: _for_each(
            workspaces,
            lambda w: sweep_claim_windows(runtime=w.runtime, client=w.client, now=_now()),
        ),
        "interval",
        seconds=30,
        id="sweep_claim_windows",
        next_run_time=_now(),  # a restarted worker settles and sends overdue reminders at once
        **defaults,
    )
    scheduler.add_job(
        lambda: _for_each(
            workspaces,
            lambda w: post_missing_handoff_replies(
                runtime=w.runtime, client=w.client, bot=w.bot, now=_now()
            ),
        ),
        "interval",
        seconds=60,
        id="post_missing_handoff_replies",
        **defaults,
    )
    scheduler.add_job(
        lambda: _for_each(
            workspaces,
            lambda w: refresh_customer_wait_lines(runtime=w.runtime, client=w.client, now=_now()),
        ),
        "interval",
        seconds=60,
        id="refresh_customer_wait_lines",
        **defaults,
    )
    mail = SmtpSender.from_settings(runtime.settings)
    if mail is not None:
        sender = mail
        scheduler.add_job(
            lambda: deliver_follow_up_emails(runtime=runtime, sender=sender, now=_now()),
            "interval",
            seconds=60,
            id="deliver_follow_up_emails",
            **defaults,
        )
    scheduler.add_job(
        lambda: _for_each(
            workspaces,
            lambda w: post_missing_cards(runtime=w.runtime, client=w.client, now=_now()),
        ),
        "interval",
        seconds=60,
        id="post_missing_cards",
        **defaults,
    )
    scheduler.add_job(
        lambda: _for_each(
            workspaces,
            lambda w: run_due_slot(
                engine=w.runtime.engine,
                job_id=_slot_job_id("post_leads_digest", w.runtime),
                crontab=w.runtime.config.reports.leads_digest_cron,
                now=_now(),
                work=lambda slot, send: post_leads_digest(
                    runtime=w.runtime, client=w.client, now=slot, send=send
                ),
                find_post=_finder(w, w.runtime.config.leads_channel),
            ),
        ),
        "interval",
        seconds=SLOT_CHECK_SECONDS,
        id="post_leads_digest",
        next_run_time=_now(),  # a restarted worker catches up a missed slot at once
        **defaults,
    )
    # Team alerts go out with the token of the installation they belong to.
    alert_clients: WebClient | ClientForTeam = (
        installation_clients(runtime) if runtime.settings.oauth_mode else workspaces()[0].client
    )
    senders = outbox_senders(runtime, alert_clients)
    if senders:
        scheduler.add_job(
            lambda: deliver_outbox(runtime, senders, workspaces),
            "interval",
            seconds=30,
            id="deliver_outbox",
            **defaults,
        )
    _add_surge_jobs(scheduler, workspaces, defaults)
    _add_knowledge_gap_jobs(scheduler, workspaces, defaults)
    scheduler.add_job(
        lambda: prune_finished_events(runtime=runtime, now=_now()),
        "cron",
        hour=3,
        id="prune_finished_events",
        **defaults,
    )
    return scheduler


def _surge_alerts(workspace: Workspace) -> SlackSurgeAlerts:
    return SlackSurgeAlerts(workspace.client, channel=workspace.runtime.config.leads_channel)


def _add_surge_jobs(
    scheduler: BlockingScheduler, workspaces: WorkspaceSource, defaults: dict[str, Any]
) -> None:
    """Surge detection, the surge calendar and customer notices, each installation on its own
    rows, with its own config, token and leads channel."""
    watch = SurgeWatch()
    scheduler.add_job(
        lambda: _for_each(
            workspaces,
            lambda w: watch.check(
                engine=w.runtime.engine,
                config=w.runtime.config,
                alerts=_surge_alerts(w),
                team_id=w.runtime.team.team_id,
                now=_now(),
            ),
        ),
        "interval",
        minutes=1,
        id="watch_for_surges",
        **defaults,
    )
    scheduler.add_job(
        lambda: _for_each(
            workspaces,
            lambda w: run_surge_calendar(runtime=w.runtime, announcer=_surge_alerts(w), now=_now()),
        ),
        "interval",
        minutes=1,
        id="run_surge_calendar",
        **defaults,
    )
    scheduler.add_job(
        lambda: _for_each(
            workspaces,
            lambda w: send_surge_notices(
                runtime=w.runtime,
                poster=SlackNoticePoster(w.client),
                announcer=_surge_alerts(w),
                now=_now(),
            ),
        ),
        "interval",
        seconds=20,
        id="send_surge_notices",
        **defaults,
    )


def _add_knowledge_gap_jobs(
    scheduler: BlockingScheduler, workspaces: WorkspaceSource, defaults: dict[str, Any]
) -> None:
    """The weekly knowledge-gap digest (its slot taken per installation) and the hot-topic
    flag, each installation on its own gaps, to its own channel with its own token."""
    scheduler.add_job(
        lambda: _for_each(
            workspaces,
            lambda w: run_due_slot(
                engine=w.runtime.engine,
                job_id=_slot_job_id("post_knowledge_gap_digest", w.runtime),
                crontab=w.runtime.config.reports.gap_digest_cron,
                now=_now(),
                work=lambda slot, send: post_weekly_digest(
                    engine=w.runtime.engine,
                    config=w.runtime.config,
                    team_id=w.runtime.team.team_id,
                    notifier=SlackGapNotifier(w.client),
                    drafter=OfflineDrafter(),
                    now=slot,
                    key=send.key,
                    posted_ts=send.posted_ts,
                ),
                find_post=_finder(w, gap_channel(w.runtime.config)),
            ),
        ),
        "interval",
        seconds=SLOT_CHECK_SECONDS,
        id="post_knowledge_gap_digest",
        next_run_time=_now(),  # a restarted worker catches up a missed slot at once
        **defaults,
    )
    scheduler.add_job(
        lambda: _for_each(
            workspaces,
            lambda w: flag_hot_topics(
                engine=w.runtime.engine,
                config=w.runtime.config,
                team_id=w.runtime.team.team_id,
                notifier=SlackGapNotifier(w.client),
                now=_now(),
            ),
        ),
        "interval",
        seconds=60,
        id="flag_hot_gap_topics",
        **defaults,
    )


def run_worker(runtime: Runtime, client: WebClient) -> None:
    """Run the jobs: for the bot token's workspace, or for every OAuth installation."""
    if runtime.settings.oauth_mode:
        workspaces = installed_workspaces(runtime)
    else:
        workspaces = single_workspace(runtime, client, bot_identity(client))
    scheduler = build_scheduler(runtime, workspaces)
    logger.info("worker started with jobs: %s", ", ".join(j.id for j in scheduler.get_jobs()))
    scheduler.start()
