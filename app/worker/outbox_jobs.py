"""The worker's outbox senders: every configured integration, plus team alerts in Slack when
there are any to send; integration problems are queued for the leads channel first."""

from __future__ import annotations

from slack_sdk import WebClient

from app.integrations.alerts import KIND as ALERT_KIND
from app.integrations.delivery import Sender
from app.integrations.senders import (
    configured_senders,
    integration_problems,
    post_integration_problems,
)
from app.runtime import Runtime
from app.slack.team_alerts import SlackAlertSender


def outbox_senders(runtime: Runtime, client: WebClient) -> dict[str, Sender]:
    """The sender map of the ``deliver_outbox`` job (empty: nothing to deliver, no job).
    Problems were logged at start-up (``bootstrap``); here they are queued for the leads."""
    problems = integration_problems(runtime.settings, runtime.config)
    if problems:
        post_integration_problems(engine=runtime.engine, config=runtime.config, problems=problems)
    senders = configured_senders(runtime.settings)
    alerts = runtime.config.alerts
    if problems or senders or any(alerts.model_dump().values()):
        senders[ALERT_KIND] = SlackAlertSender(client)
    return senders
