"""Which integrations are on: the outbox senders of every configured integration, and the
problems of the ones that are configured wrongly (reported, never raised)."""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy.engine import Engine

from app.config import Settings
from app.config_file import EscalationConfig
from app.db.engine import session_scope
from app.delivery.outcomes import Sender
from app.integrations import hubspot, linear, salesforce
from app.integrations.alerts import INTEGRATION_PROBLEM, alert_payload, enqueue_alert
from app.integrations.crm_settings import hubspot_settings, salesforce_settings
from app.integrations.settings import linear_settings
from app.integrations.trackers import bug_trackers
from app.team_scope import SINGLE_WORKSPACE_TEAM_ID

logger = logging.getLogger(__name__)


def configured_senders(settings: Settings) -> dict[str, Sender]:
    """Outbox kind → sender, for every integration whose settings are complete and valid."""
    senders: dict[str, Sender] = {}
    linear_config = linear_settings(settings)
    if linear_config.enabled:
        senders[linear.KIND] = linear.LinearSender.from_settings(linear_config)
    hubspot_config = hubspot_settings(settings)
    if hubspot_config.enabled:
        senders[hubspot.KIND] = hubspot.HubSpotSender.from_settings(hubspot_config)
    salesforce_config = salesforce_settings(settings)
    if salesforce_config.enabled:
        senders[salesforce.KIND] = salesforce.SalesforceSender.from_settings(salesforce_config)
    return senders


def integration_problems(settings: Settings, config: EscalationConfig) -> list[str]:
    """Plain sentences, one per problem (no secrets in them). Bug trackers are checked for the
    teams that file reports: the top-level one, or with OAuth installs each workspace's (which
    may name its own Linear team or Jira project)."""
    teams = (
        [config.for_team(team_id) for team_id in config.workspaces] if settings.oauth_mode else []
    )
    tracker_problems = (
        p for team in teams or [config] for p in bug_trackers(settings, team).problems
    )
    problems = list(dict.fromkeys(tracker_problems))
    accounts = [*config.accounts, *(a for w in config.workspaces.values() for a in w.accounts)]
    for crm, id_key in (
        (hubspot_settings(settings), "hubspot_company_id"),
        (salesforce_settings(settings), "salesforce_account_id"),
    ):
        if crm.problem:
            problems.append(f"{crm.name} integration is off: {crm.problem}.")
        mapped = [a.name for a in accounts if getattr(a, id_key)]
        if mapped and not crm.enabled:
            problems.append(
                f"{len(mapped)} account(s) have a {id_key} but {crm.name} is not configured: "
                "their signals wait in the outbox until it is."
            )
    return problems


def report_integration_problems(settings: Settings, config: EscalationConfig) -> list[str]:
    """Log each problem at start-up; returns them."""
    problems = integration_problems(settings, config)
    for problem in problems:
        logger.error("integration misconfigured: %s", problem)
    return problems


def post_integration_problems(
    *,
    engine: Engine,
    config: EscalationConfig,
    problems: list[str],
    team_id: str = SINGLE_WORKSPACE_TEAM_ID,
) -> None:
    """Queue each problem for the leads channel of ``config`` (one installation's), once per
    distinct problem and installation (outbox key)."""
    scope = "" if team_id == SINGLE_WORKSPACE_TEAM_ID else f"{team_id}:"
    with session_scope(engine) as session:
        for problem in problems:
            digest = hashlib.sha256(problem.encode()).hexdigest()[:16]
            enqueue_alert(
                session=session,
                key=f"integration-problem:{scope}{digest}",
                payload=alert_payload(
                    event=INTEGRATION_PROBLEM,
                    team_id=team_id,
                    channel=config.leads_channel,
                    title="An integration is misconfigured",
                    fields=[("Problem", problem)],
                ),
            )
