"""Bug reports with two workspaces installed: the same error reported in each is two reports,
each with its own issues (Beta's in its own Linear team and Jira project), links announced on
each workspace's own card with its own token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.bugs.links import bug_state
from app.db.bug_report_tables import BugReport
from app.db.models import Escalation
from app.integrations.senders import integration_problems
from standins.local_slack import LocalSlack
from standins.vendors.jira import JiraStandin
from standins.vendors.linear import DEFAULT_TEAM_ID, LinearStandin
from tests.slack.oauth.conftest import TWO_WORKSPACES, installed_twice
from tests.slack.oauth.test_alerts import run_outbox_job
from tests.slack.test_bug_reports import tracker_settings

TRACE = """Exporting fails for us:
```
Traceback (most recent call last):
  File "/srv/app/export.py", line {line}, in run
ValueError: invalid literal for int() with base 10: '{value}'
```
I need to talk to a human please"""

BUGS = (
    TWO_WORKSPACES.replace(
        "    leads: [U0LEADB]\n",
        "    leads: [U0LEADB]\n"
        "    bug_reports:\n      linear: {team_id: team-beta}\n      jira: {project_key: BETA}\n",
    )
    + "bug_reports:\n  trackers: [linear, jira]\n"
)


OWN_ONLY = BUGS.replace(
    "    leads: [U0LEADA]\n",
    "    leads: [U0LEADA]\n"
    "    bug_reports:\n"
    f"      linear: {{team_id: {DEFAULT_TEAM_ID}}}\n      jira: {{project_key: SUP}}\n",
)


@pytest.fixture
def linear_api() -> Iterator[LinearStandin]:
    with LinearStandin(team_ids=(DEFAULT_TEAM_ID, "team-beta"), hang_seconds=5) as server:
        yield server


@pytest.fixture
def jira_api() -> Iterator[JiraStandin]:
    with JiraStandin(projects=("SUP", "BETA"), hang_seconds=5) as server:
        yield server


@pytest.fixture
def slack(
    database_url: str, tmp_path: Path, linear_api: LinearStandin, jira_api: JiraStandin
) -> Iterator[LocalSlack]:
    settings = tracker_settings(linear_api, jira_api)
    with installed_twice(database_url, tmp_path, BUGS, **settings) as local:
        yield local


def _file_in_both(slack: LocalSlack) -> tuple[Escalation, Escalation]:
    """The same error escalated in Alpha and in Beta, each filed by its own agent (Beta's is a
    new report, not "already reported by another account")."""
    alpha = _escalate(slack, "C0ACMEA", "T0ALPHA", TRACE.format(line=40, value="abc-1"))
    beta = _escalate(slack, "C0GLOBEXB", "T0BETA", TRACE.format(line=41, value="abc-2"))
    assert "Bug report queued" in _report_bug(slack, alpha, "T0ALPHA", "U0AGENTA")
    assert "Bug report queued" in _report_bug(slack, beta, "T0BETA", "U0AGENTB")
    return alpha, beta


def _escalate(slack: LocalSlack, channel: str, team: str, text: str) -> Escalation:
    customer = slack.customer_of(channel)
    sent = slack.say(
        channel, user=customer.user_id, team=customer.team_id, text=text, installation=team
    )
    assert slack.wait_processed(sent.event_id) == "done"
    assert slack.runtime is not None
    engine = slack.runtime.engine

    def carded() -> Escalation | None:
        with Session(engine) as session:
            found = session.exec(select(Escalation).where(Escalation.team_id == team)).first()
            return found if found is not None and found.card_ts else None

    return slack.standin.wait_for(carded)


def _report_bug(slack: LocalSlack, escalation: Escalation, team: str, agent: str) -> str:
    """The agent presses "Create bug report" on the card; the notice they are shown."""
    result = slack.sender_for(team).block_action(
        user=agent,
        user_team=team,
        action_id="create_bug_report",
        value=str(escalation.id),
        channel=escalation.card_channel,
        message_ts=escalation.card_ts,
    )
    assert result.status == 200
    [notice] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for(agent))
    return str(notice["text"])


def test_the_same_error_in_two_workspaces_is_two_reports_each_with_its_issues(
    slack: LocalSlack, linear_api: LinearStandin, jira_api: JiraStandin
) -> None:
    alpha, beta = _file_in_both(slack)
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        reports = session.exec(select(BugReport).order_by(BugReport.id)).all()  # type: ignore[arg-type]
    assert [(r.team_id, r.affected_accounts) for r in reports] == [("T0ALPHA", 1), ("T0BETA", 1)]
    assert reports[0].fingerprint == reports[1].fingerprint

    run_outbox_job(slack)
    assert sorted(i.team_id for i in linear_api.issues) == sorted([DEFAULT_TEAM_ID, "team-beta"])
    projects = {issue.fields["project"]["key"]: issue for issue in jira_api.issues}
    assert sorted(projects) == ["BETA", "SUP"]
    assert "Globex" in str(projects["BETA"].fields) and "Acme" not in str(projects["BETA"].fields)
    with Session(slack.runtime.engine) as session:
        alpha_links = {link.url for link in bug_state(session, alpha.id or 0).links}
        beta_links = {link.url for link in bug_state(session, beta.id or 0).links}
    assert len(alpha_links) == len(beta_links) == 2 and not alpha_links & beta_links
    # each card's thread hears of its own issues, posted with its own workspace's token
    for escalation, team, links in ((alpha, "T0ALPHA", alpha_links), (beta, "T0BETA", beta_links)):
        [announced] = [
            call
            for call in slack.standin.calls_to("chat.postMessage")
            if call.args.get("thread_ts") == escalation.card_ts and call.ok
        ]
        assert announced.team_id == team
        assert all(link in str(announced.args) for link in links)


def test_workspaces_with_their_own_team_and_project_need_no_default_one(
    database_url: str, tmp_path: Path, linear_api: LinearStandin, jira_api: JiraStandin
) -> None:
    settings = tracker_settings(linear_api, jira_api)
    settings.update(linear_team_id=None, jira_project_key=None)
    with installed_twice(database_url, tmp_path, OWN_ONLY, **settings) as slack:
        assert slack.runtime is not None  # no "LINEAR_TEAM_ID is not set" for the leads
        assert integration_problems(slack.runtime.settings, slack.runtime.config) == []
        _file_in_both(slack)
        run_outbox_job(slack)
    assert sorted(i.team_id for i in linear_api.issues) == sorted([DEFAULT_TEAM_ID, "team-beta"])
    assert sorted(i.fields["project"]["key"] for i in jira_api.issues) == ["BETA", "SUP"]
