"""The worker's outbox sweep and its senders: every configured integration, Slack's deliveries
(thread notices, reminders about unclaimed escalations, surge notices; team alerts when there
are any to send), follow-up emails when a mail server is configured, each with its
installation's token; integration problems are queued for the leads channel (of every
installation, in OAuth mode) first. After the sweep the leads hear how their surge's customer
notices went."""

from __future__ import annotations

from datetime import UTC, datetime

from app.config_file import EscalationConfig
from app.delivery.outbox import deliver_due
from app.delivery.outcomes import AttemptSender, Recorder, Sender
from app.escalations import reminders, thread_notices
from app.escalations.email_follow_up import EMAIL_KIND, EmailSender
from app.integrations import jira, linear
from app.integrations.alerts import KIND as ALERT_KIND
from app.integrations.senders import (
    configured_senders,
    integration_problems,
    post_integration_problems,
)
from app.integrations.settings import jira_settings, linear_settings
from app.integrations.trackers import bug_trackers
from app.mail.smtp_sender import SmtpSender
from app.runtime import Runtime
from app.slack.bug_reports import announce_bug_reports
from app.slack.gateway import ClientForTeam, SlackConnection
from app.slack.reminder_sender import SlackReminderSender
from app.slack.surge_notices import surge_notice_sender
from app.slack.team_alerts import SlackAlertSender
from app.slack.thread_notice_sender import ThreadNoticeSender
from app.slack.workspaces import WorkspaceSource, installed_team_ids
from app.surge import notices as surge_notices
from app.team_scope import TeamScope
from app.worker.surge_jobs import announce_notice_outcomes

Senders = dict[str, Sender | AttemptSender]

#: Where deliveries are recorded, by kind (in the transaction that marks them delivered).
RECORDERS: dict[str, Recorder] = {thread_notices.KIND: thread_notices.record_notice}


def outbox_senders(runtime: Runtime, client: SlackConnection | ClientForTeam) -> Senders:
    """The sender map of the ``deliver_outbox`` job. Problems were logged at start-up
    (``bootstrap``); here they are queued for the leads."""
    problems = integration_problems(runtime.settings, runtime.config)
    if problems:
        _queue_problems(runtime, problems)
    senders: Senders = {**configured_senders(runtime.settings), **tracker_senders(runtime)}
    teams = [runtime.config, *runtime.config.workspaces.values()]
    if problems or senders or any(any(t.alerts.model_dump().values()) for t in teams):
        senders[ALERT_KIND] = SlackAlertSender(client)
    senders[thread_notices.KIND] = ThreadNoticeSender(client)
    senders[surge_notices.KIND] = surge_notice_sender(runtime, client)
    senders[reminders.KIND] = SlackReminderSender(
        engine=runtime.engine, configs=team_config(runtime), clients=client
    )
    mail = SmtpSender.from_settings(runtime.settings)
    if mail is not None:  # follow-up emails wait (pending) until a mail server is configured
        senders[EMAIL_KIND] = EmailSender(mail)
    return senders


def outbox_recorders(runtime: Runtime) -> dict[str, Recorder]:
    """``RECORDERS``, and the reminders' (which read their installation's config)."""
    return {**RECORDERS, reminders.KIND: reminders.ReminderRecorder(team_config(runtime))}


def team_config(runtime: Runtime) -> reminders.ConfigFor:
    """The config of an installation, by the team id its rows carry."""

    def config(team_id: str | None) -> EscalationConfig:
        return runtime.for_team(TeamScope(team_id)).config if team_id else runtime.config

    return config


def _queue_problems(runtime: Runtime, problems: list[str]) -> None:
    """For the leads of the one workspace, or of every installation in OAuth mode."""
    if not runtime.settings.oauth_mode:
        post_integration_problems(engine=runtime.engine, config=runtime.config, problems=problems)
        return
    for team_id in installed_team_ids(runtime):
        post_integration_problems(
            engine=runtime.engine,
            config=runtime.for_team(TeamScope(team_id)).config,
            problems=problems,
            team_id=team_id,
        )


def tracker_senders(runtime: Runtime) -> dict[str, Sender]:
    """Issue and comment senders of the bug trackers the config chooses and the settings allow,
    for the top-level team or any workspace (a workspace may name its own Linear team or Jira
    project; its issues carry it, the sender's default is the top-level or environment one)."""
    config = runtime.config
    teams = [config, *(config.for_team(team_id) for team_id in config.workspaces)]
    trackers = {name for team in teams for name in bug_trackers(runtime.settings, team).names}
    senders: dict[str, Sender] = {}
    if "linear" in trackers:  # a key and a team
        linear_config = linear_settings(runtime.settings)
        team = _first(
            config.bug_reports.linear.team_id,
            linear_config.linear_team_id,
            *(t.bug_reports.linear.team_id for t in teams),
        )
        key = linear_config.linear_api_key
        assert key is not None and team is not None
        api_key, api_url = key.get_secret_value(), linear_config.linear_api_url
        senders[linear.KIND] = linear.LinearSender(team_id=team, api_key=api_key, api_url=api_url)
        senders[linear.COMMENT_KIND] = linear.LinearCommentSender(api_key=api_key, api_url=api_url)
    if "jira" in trackers:
        jira_config = jira_settings(runtime.settings)
        project = _first(
            jira_config.jira_project_key,
            *(t.bug_reports.jira.project_key for t in teams),
        )
        configured = jira_config.model_copy(update={"jira_project_key": project})
        senders[jira.KIND] = jira.JiraSender.from_settings(configured)
        senders[jira.COMMENT_KIND] = jira.JiraCommentSender.from_settings(configured)
    return senders


def _first(*values: str | None) -> str | None:
    return next((value for value in values if value), None)


def deliver_outbox(
    runtime: Runtime,
    senders: Senders,
    workspaces: WorkspaceSource,
    now: datetime | None = None,
) -> int:
    """Deliver what is due (how many were delivered), tell the leads how their surge's customer
    notices went once none is left, then post the bug report links the trackers now have, each
    in its own workspace with that installation's token."""
    now = now or datetime.now(UTC)
    recorders = outbox_recorders(runtime)
    report = deliver_due(engine=runtime.engine, senders=senders, now=now, recorders=recorders)
    announce_notice_outcomes(engine=runtime.engine, workspaces=workspaces, now=now)
    if not runtime.config.bug_reports.trackers:
        return len(report.delivered)
    for workspace in workspaces():
        announce_bug_reports(
            engine=runtime.engine,
            config=workspace.runtime.config,
            client=workspace.client,
            team_id=workspace.runtime.team_filter,
            now=now,
        )
    return len(report.delivered)
