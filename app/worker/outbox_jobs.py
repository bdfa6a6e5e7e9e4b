"""The worker's outbox senders: every configured integration, plus team alerts in Slack when
there are any to send; integration problems are queued for the leads channel first."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk import WebClient

from app.bugs.trackers import bug_trackers
from app.integrations import jira, linear
from app.integrations.alerts import KIND as ALERT_KIND
from app.integrations.delivery import Sender
from app.integrations.outbox import deliver_due
from app.integrations.senders import (
    configured_senders,
    integration_problems,
    post_integration_problems,
)
from app.integrations.settings import jira_settings, linear_settings
from app.runtime import Runtime
from app.slack.bug_reports import announce_bug_reports
from app.slack.team_alerts import SlackAlertSender


def outbox_senders(runtime: Runtime, client: WebClient) -> dict[str, Sender]:
    """The sender map of the ``deliver_outbox`` job (empty: nothing to deliver, no job).
    Problems were logged at start-up (``bootstrap``); here they are queued for the leads."""
    problems = integration_problems(runtime.settings, runtime.config)
    if problems:
        post_integration_problems(engine=runtime.engine, config=runtime.config, problems=problems)
    senders = {**configured_senders(runtime.settings), **tracker_senders(runtime)}
    alerts = runtime.config.alerts
    if problems or senders or any(alerts.model_dump().values()):
        senders[ALERT_KIND] = SlackAlertSender(client)
    return senders


def tracker_senders(runtime: Runtime) -> dict[str, Sender]:
    """Issue and comment senders of the bug trackers the config chooses and the settings allow
    (the team and the project may come from the config file)."""
    trackers = bug_trackers(runtime.settings, runtime.config).names
    senders: dict[str, Sender] = {}
    if "linear" in trackers:  # a key and a team
        linear_config = linear_settings(runtime.settings)
        team = runtime.config.bug_reports.linear.team_id or linear_config.linear_team_id
        key = linear_config.linear_api_key
        assert key is not None and team is not None
        api_key, api_url = key.get_secret_value(), linear_config.linear_api_url
        senders[linear.KIND] = linear.LinearSender(team_id=team, api_key=api_key, api_url=api_url)
        senders[linear.COMMENT_KIND] = linear.LinearCommentSender(api_key=api_key, api_url=api_url)
    if "jira" in trackers:
        jira_config = jira_settings(runtime.settings)
        project = jira_config.jira_project_key or runtime.config.bug_reports.jira.project_key
        configured = jira_config.model_copy(update={"jira_project_key": project})
        senders[jira.KIND] = jira.JiraSender.from_settings(configured)
        senders[jira.COMMENT_KIND] = jira.JiraCommentSender.from_settings(configured)
    return senders


def deliver_outbox(runtime: Runtime, client: WebClient, senders: dict[str, Sender]) -> None:
    """Deliver what is due, then post the bug report links the trackers now have."""
    now = datetime.now(UTC)
    deliver_due(engine=runtime.engine, senders=senders, now=now)
    if runtime.config.bug_reports.trackers:
        announce_bug_reports(engine=runtime.engine, config=runtime.config, client=client, now=now)
