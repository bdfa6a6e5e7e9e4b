"""The worker's schedule: module-level jobs with explicit ids, one instance each, in UTC."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler

from app.config_file import ReportsConfig
from app.knowledge_gaps.drafts import OfflineDrafter
from app.runtime import Runtime
from app.slack.gap_notifier import SlackGapNotifier
from app.slack.gateway import ClientForTeam, SlackConnection, WebClient
from app.slack.sent_lookup import find_keyed_message
from app.slack.surge_alerts import SlackSurgeAlerts
from app.slack.workspaces import (
    Workspace,
    WorkspaceSource,
    bot_identity,
    installation_clients,
    installed_workspaces,
    single_workspace,
)
from app.surge.monitor import SurgeWatch
from app.worker.escalation_jobs import (
    post_missing_cards,
    post_missing_handoff_replies,
    refresh_customer_wait_lines,
    sweep_claim_windows,
)
from app.worker.event_retry import prune_finished_events, retry_unfinished_events
from app.worker.knowledge_gap_jobs import flag_hot_topics, gap_channel, post_weekly_digest
from app.worker.outbox_jobs import deliver_outbox, outbox_senders
from app.worker.report_jobs import post_leads_digest
from app.worker.scheduled_slots import SlotSend, run_due_slot
from app.worker.surge_jobs import run_surge_calendar

logger = logging.getLogger(__name__)

SLOT_CHECK_SECONDS = 30  # how often the cron digests look for a due slot (taken once in the db)
# Run as soon as a worker starts: a restarted worker finishes the events, replies and cards a
# dead process left half-done, settles and sends overdue reminders and catches up a missed
# digest slot at once, not one interval later.
AT_START = frozenset(
    {
        "retry_unfinished_events",
        "post_missing_handoff_replies",
        "post_missing_cards",
        "deliver_outbox",
        "sweep_claim_windows",
        "post_leads_digest",
        "post_knowledge_gap_digest",
    }
)


def _now() -> datetime:
    return datetime.now(UTC)


def _slot_job_id(job: str, runtime: Runtime) -> str:
    """A cron job's slots are taken per installation (one digest per workspace and slot)."""
    team = runtime.team_filter
    return f"{job}:{team}" if team else job


def _for_each(workspaces: WorkspaceSource, job: Callable[[Workspace], object]) -> None:
    """Run ``job`` for every workspace; one workspace's failure does not stop the others."""
    for workspace in workspaces():
        try:
            job(workspace)
        except Exception:
            logger.exception("job failed for team %s", workspace.runtime.team.team_id)


WorkspaceJob = tuple[str, Callable[[Workspace], object], int]
"""A job run once per workspace: its id, what it does for one workspace, every how many
seconds."""


def _surge_alerts(workspace: Workspace) -> SlackSurgeAlerts:
    return SlackSurgeAlerts(workspace.client, channel=workspace.runtime.config.leads_channel)


def _slot_job(
    job_id: str,
    crontab: Callable[[ReportsConfig], str],
    channel: Callable[[Workspace], str],
    work: Callable[[Workspace, datetime, SlotSend], object],
) -> WorkspaceJob:
    """A cron job whose slots are taken per installation (one digest per workspace and slot),
    looked for every ``SLOT_CHECK_SECONDS``; a slot taken over from a worker that died is first
    looked for in the digest's ``channel``."""

    def run(w: Workspace) -> object:
        return run_due_slot(
            engine=w.runtime.engine,
            job_id=_slot_job_id(job_id, w.runtime),
            crontab=crontab(w.runtime.config.reports),
            now=_now(),
            work=lambda slot, send: work(w, slot, send),
            find_post=lambda key, since: find_keyed_message(
                w.client, channel=channel(w), key=key, since=since
            ),
        )

    return job_id, run, SLOT_CHECK_SECONDS


def _workspace_jobs() -> tuple[WorkspaceJob, ...]:
    """Every job that acts for one installation, on its own rows, with its own config, token
    and channels: escalations, digests, surges (detection keeps its counts across runs) and
    knowledge gaps."""
    watch = SurgeWatch()
    return (
        (
            "retry_unfinished_events",
            lambda w: retry_unfinished_events(
                runtime=w.runtime, client=w.client, bot=w.bot, now=_now()
            ),
            60,
        ),
        (
            "sweep_claim_windows",
            lambda w: sweep_claim_windows(runtime=w.runtime, client=w.client, now=_now()),
            30,
        ),
        (
            "post_missing_handoff_replies",
            lambda w: post_missing_handoff_replies(
                runtime=w.runtime, client=w.client, bot=w.bot, now=_now()
            ),
            60,
        ),
        (
            "refresh_customer_wait_lines",
            lambda w: refresh_customer_wait_lines(runtime=w.runtime, client=w.client, now=_now()),
            60,
        ),
        (
            "post_missing_cards",
            lambda w: post_missing_cards(runtime=w.runtime, client=w.client, now=_now()),
            60,
        ),
        _slot_job(
            "post_leads_digest",
            lambda reports: reports.leads_digest_cron,
            lambda w: w.runtime.config.leads_channel,
            lambda w, slot, send: post_leads_digest(
                runtime=w.runtime, client=w.client, now=slot, send=send
            ),
        ),
        (
            "watch_for_surges",
            lambda w: watch.check(
                engine=w.runtime.engine,
                config=w.runtime.config,
                alerts=_surge_alerts(w),
                team_id=w.runtime.team.team_id,
                now=_now(),
            ),
            60,
        ),
        (
            "run_surge_calendar",
            lambda w: run_surge_calendar(runtime=w.runtime, announcer=_surge_alerts(w), now=_now()),
            60,
        ),
        _slot_job(
            "post_knowledge_gap_digest",
            lambda reports: reports.gap_digest_cron,
            lambda w: gap_channel(w.runtime.config),
            lambda w, slot, send: post_weekly_digest(
                engine=w.runtime.engine,
                config=w.runtime.config,
                team_id=w.runtime.team.team_id,
                notifier=SlackGapNotifier(w.client),
                drafter=OfflineDrafter(),
                now=slot,
                key=send.key,
                posted_ts=send.posted_ts,
            ),
        ),
        (
            "flag_hot_gap_topics",
            lambda w: flag_hot_topics(
                engine=w.runtime.engine,
                config=w.runtime.config,
                team_id=w.runtime.team.team_id,
                notifier=SlackGapNotifier(w.client),
                now=_now(),
            ),
            60,
        ),
    )


def build_scheduler(runtime: Runtime, workspaces: WorkspaceSource) -> BlockingScheduler:
    """The jobs; those that act for a workspace run once per workspace (installation)."""
    scheduler = BlockingScheduler(timezone=UTC)
    defaults: dict[str, Any] = {"coalesce": True, "max_instances": 1, "replace_existing": True}
    for job_id, job, seconds in _workspace_jobs():
        at_start = {"next_run_time": _now()} if job_id in AT_START else {}
        scheduler.add_job(
            partial(_for_each, workspaces, job),
            "interval",
            seconds=seconds,
            id=job_id,
            **at_start,
            **defaults,
        )
    # Slack deliveries go out with the token of the installation they belong to.
    alert_clients: SlackConnection | ClientForTeam = (
        installation_clients(runtime) if runtime.settings.oauth_mode else workspaces()[0].client
    )
    senders = outbox_senders(runtime, alert_clients)
    scheduler.add_job(
        lambda: deliver_outbox(runtime, senders, workspaces),
        "interval",
        seconds=30,
        id="deliver_outbox",
        next_run_time=_now(),
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
    """Run the jobs: for the bot token's workspace, or for every OAuth installation."""
    if runtime.settings.oauth_mode:
        workspaces = installed_workspaces(runtime)
    else:
        workspaces = single_workspace(runtime, client, bot_identity(client))
    scheduler = build_scheduler(runtime, workspaces)
    logger.info("worker started with jobs: %s", ", ".join(j.id for j in scheduler.get_jobs()))
    scheduler.start()
