"""Bug reports from handoff cards: the error shown on the card, the button (agents only), the
resolve flag, one issue per error with comments from other accounts, the links posted back, and
the alert when one error spreads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from app.config import EXAMPLE_CONFIG, PROJECT_ROOT
from app.conversations.intake import BotIdentity
from app.db.bug_report_tables import BugReport, BugReportAccount
from app.db.models import Escalation
from app.db.outbox_table import OutboxEvent
from app.escalations.thread_notices import KIND as THREAD_NOTICE
from app.slack.client import build_web_client
from app.slack.workspaces import single_workspace
from app.worker.scheduler import deliver_outbox, outbox_senders
from standins.local_slack import OUR_TEAM, LocalSlack
from standins.vendors.jira import DEFAULT_API_TOKEN, DEFAULT_EMAIL, JiraStandin
from standins.vendors.linear import DEFAULT_API_KEY, DEFAULT_TEAM_ID, LinearStandin
from tests.slack.test_handoff import ACME, GLOBEX, INITECH, escalate, latest, press

ENG_BUGS = "C0ENGBUGS"
TRACE = """Exporting fails for us:
```
Traceback (most recent call last):
  File "/srv/app/export.py", line {line}, in run
    rows = load(account_id={account})
  File "/srv/app/db.py", line 7, in load
ValueError: invalid literal for int() with base 10: '{value}'
```
Expected: the CSV downloads
Actual: a 500 page
I need to talk to a human please, reach me at jane.doe@customer-corp.com"""


def trace(n: int) -> str:
    return TRACE.format(line=40 + n, account=1000 + n, value=f"abc-{n}")


@pytest.fixture
def linear_api() -> Iterator[LinearStandin]:
    with LinearStandin(hang_seconds=5) as server:
        yield server


@pytest.fixture
def jira_api() -> Iterator[JiraStandin]:
    with JiraStandin(hang_seconds=5) as server:
        yield server


@pytest.fixture
def bug_config(tmp_path: Path) -> Path:
    text = EXAMPLE_CONFIG.read_text().replace(
        "path: app/knowledge/sample_kb", f"path: {PROJECT_ROOT / 'app/knowledge/sample_kb'}"
    )
    text += (
        "\nbug_reports:\n  trackers: [linear, jira]\n  jira: {labels: [from-support]}\n"
        "alerts:\n  bug_fingerprint: C0ENGBUGS\n"
    )
    path = tmp_path / "escalation.yml"
    path.write_text(text)
    return path


def tracker_settings(linear_api: LinearStandin, jira_api: JiraStandin) -> dict[str, Any]:
    """The environment of a deployment whose bug reports go to the two stand-ins."""
    return {
        "linear_api_key": DEFAULT_API_KEY,
        "linear_team_id": DEFAULT_TEAM_ID,
        "linear_api_url": linear_api.url,
        "jira_base_url": jira_api.base_url,
        "jira_email": DEFAULT_EMAIL,
        "jira_api_token": DEFAULT_API_TOKEN,
        "jira_project_key": "SUP",
    }


@pytest.fixture
def slack(
    database_url: str, bug_config: Path, linear_api: LinearStandin, jira_api: JiraStandin
) -> Iterator[LocalSlack]:
    with LocalSlack(
        database_url=database_url,
        config_path=bug_config,
        **tracker_settings(linear_api, jira_api),
    ) as local:
        local.standin.add_channel(ENG_BUGS, "eng-bugs")
        yield local


def _rows(slack: LocalSlack, model: Any) -> list[Any]:
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        return list(session.exec(select(model).order_by(model.id)))


def _card(slack: LocalSlack, channel: str) -> tuple[str, dict[str, Any]]:
    """The escalation's card for the account ``channel``: (agent channel, message)."""

    def posted() -> tuple[str, str] | None:
        for escalation in _rows(slack, Escalation):
            if escalation.card_ts and _account_channel(slack, escalation) == channel:
                return escalation.card_channel, escalation.card_ts
        return None

    card_channel, ts = slack.standin.wait_for(posted)
    return card_channel, latest(slack, card_channel, ts)


def _account_channel(slack: LocalSlack, escalation: Escalation) -> str:
    from app.db.models import Account

    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        account = session.get(Account, escalation.account_id)
        assert account is not None
        return account.channel_id


def _buttons(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        e["action_id"]: e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
    }


def _report_bug(slack: LocalSlack, account_channel: str, agent: str = "U0AGENT2") -> str:
    card_channel, card = _card(slack, account_channel)
    before = len(slack.standin.ephemerals_for(agent))
    assert press(slack, card, "create_bug_report", user=agent, channel=card_channel) == 200
    slack.standin.wait_for(lambda: len(slack.standin.ephemerals_for(agent)) > before)
    return card_channel


def _deliver(slack: LocalSlack) -> None:
    """One run of the worker's outbox job."""
    assert slack.runtime is not None
    client = build_web_client(slack.runtime.settings)
    workspace = single_workspace(slack.runtime, client, BotIdentity("T0OURS", "U0BOT"))
    deliver_outbox(slack.runtime, outbox_senders(slack.runtime, client), workspace)


def test_the_card_proposes_a_bug_report_when_the_customer_shows_an_error(
    slack: LocalSlack,
) -> None:
    escalate(slack, ACME, trace(1))
    _channel, card = _card(slack, ACME)
    text = json.dumps(card["blocks"])
    assert "Possible bug: `ValueError: invalid literal for int() with base 10: 'abc-1'`" in text
    button = _buttons(card)["create_bug_report"]
    assert button["style"] == "primary" and button["text"]["text"] == "Create bug report"


def test_without_an_error_the_button_is_offered_plainly(slack: LocalSlack) -> None:
    escalate(slack, ACME, "I need to talk to a human about our setup please")
    _channel, card = _card(slack, ACME)
    assert "Possible bug" not in json.dumps(card["blocks"])
    assert "style" not in _buttons(card)["create_bug_report"]


def test_customers_and_non_agents_are_refused_visibly(slack: LocalSlack) -> None:
    customer, _root = escalate(slack, ACME, trace(1))
    card_channel, card = _card(slack, ACME)
    press(
        slack,
        card,
        "create_bug_report",
        user=customer.user_id,
        team=customer.team_id,
        channel=card_channel,
    )
    press(slack, card, "create_bug_report", user="U0LEAD1", team=OUR_TEAM, channel=card_channel)
    [refusal] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for(customer.user_id))
    assert "Only support agents can file bug reports" in refusal["text"]
    [lead] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for("U0LEAD1"))
    assert "Only support agents" in lead["text"]
    assert _rows(slack, BugReport) == [] and _rows(slack, OutboxEvent) == []


def test_one_issue_per_error_comments_from_other_accounts_and_links_posted_back(
    slack: LocalSlack, linear_api: LinearStandin, jira_api: JiraStandin
) -> None:
    escalate(slack, ACME, trace(1))
    _channel, stale = _card(slack, ACME)
    card_channel = _report_bug(slack, ACME)
    [bug] = _rows(slack, BugReport)
    assert (bug.trackers, bug.affected_accounts) == ("linear,jira", 1)
    kinds = [e.kind for e in _rows(slack, OutboxEvent)]
    assert kinds == ["linear.issue", "jira.issue"]
    # the card now says it is filed, without the button
    card = slack.standin.wait_for(
        lambda: (
            "Bug report filed" in json.dumps(latest(slack, card_channel, stale["ts"])["blocks"])
            and latest(slack, card_channel, stale["ts"])
        )
    )
    assert "create_bug_report" not in _buttons(card)
    # a click on an old copy of the card adds nothing
    press(slack, stale, "create_bug_report", user="U0AGENT2", channel=card_channel)
    notices = slack.standin.wait_for(
        lambda: (
            len(slack.standin.ephemerals_for("U0AGENT2")) == 2
            and slack.standin.ephemerals_for("U0AGENT2")
        )
    )
    assert "already filed" in notices[-1]["text"]
    assert len(_rows(slack, OutboxEvent)) == 2

    escalate(slack, INITECH, trace(2), name="Sam")
    _report_bug(slack, INITECH, agent="U0AGENT2")
    [bug] = _rows(slack, BugReport)
    assert bug.affected_accounts == 2
    events = _rows(slack, OutboxEvent)
    comments = [e for e in events if e.kind.endswith(".comment")]
    assert [(c.kind, c.after_key) for c in comments] == [
        ("linear.comment", f"bug:{bug.id}:linear"),
        ("jira.comment", f"bug:{bug.id}:jira"),
    ]

    _deliver(slack)
    [linear_issue] = linear_api.issues
    [jira_issue] = jira_api.issues
    assert linear_issue.title == "ValueError: invalid literal for int() with base 10: 'abc-1'"
    assert "## Stack trace\n```\nTraceback" in linear_issue.description
    assert "**Account:** Acme Corp (enterprise)" in linear_issue.description
    assert "## Expected\nthe CSV downloads" in linear_issue.description
    assert "jane.doe@customer-corp.com" not in linear_issue.description
    assert "from-support" in jira_issue.labels
    [linear_comment] = linear_api.comments
    assert "Also reported by Initech (free). Affected accounts: 2." in linear_comment.body
    [jira_comment] = jira_issue.comments
    assert "Affected accounts: 2" in json.dumps(jira_comment["body"])

    _channel, card = _card(slack, ACME)
    text = json.dumps(card["blocks"])
    assert f"<{linear_issue.url}|Linear {linear_issue.identifier}>" in text
    assert f"Jira {jira_issue.key}" in text
    thread = slack.standin.messages_in(card_channel, card["ts"])
    assert any("Bug report filed" in m["text"] and linear_issue.url in m["text"] for m in thread)
    _initech_channel, initech_card = _card(slack, INITECH)
    initech_thread = slack.standin.messages_in(_initech_channel, initech_card["ts"])
    assert any("2 accounts affected" in m["text"] for m in initech_thread)
    _deliver(slack)  # nothing left: no second post
    assert len(slack.standin.messages_in(card_channel, card["ts"])) == len(thread)


def test_three_accounts_within_the_hour_alert_the_team_once(slack: LocalSlack) -> None:
    for n, (channel, name) in enumerate(((ACME, "Jo"), (INITECH, "Sam"), (GLOBEX, "Ana"))):
        escalate(slack, channel, trace(n), name=name)
        agent = "U0AGENT2" if channel != GLOBEX else "U0AGENT1"
        _report_bug(slack, channel, agent=agent)
    [bug] = _rows(slack, BugReport)
    assert bug.affected_accounts == 3 and bug.alerted_at is not None
    _deliver(slack)
    [alert] = slack.standin.wait_for(lambda: slack.standin.messages_in(ENG_BUGS))
    assert "reported by 3 accounts within 60 minutes" in alert["text"]
    assert "ValueError: invalid literal" in json.dumps(alert["blocks"])
    assert len(_rows(slack, BugReportAccount)) == 3


def test_resolving_with_the_bug_flag_files_the_report(slack: LocalSlack) -> None:
    escalate(slack, ACME, trace(1))
    card_channel, card = _card(slack, ACME)
    press(slack, card, "claim_escalation", user="U0AGENT2", channel=card_channel)
    claimed = slack.standin.wait_for(
        lambda: (
            "resolve_escalation" in json.dumps(latest(slack, card_channel, card["ts"])["blocks"])
            and latest(slack, card_channel, card["ts"])
        )
    )
    press(slack, claimed, "resolve_escalation", user="U0AGENT2", channel=card_channel)
    modal = slack.standin.wait_for(lambda: slack.standin.opened_views())[-1]
    [bug_block] = [b for b in modal["blocks"] if b.get("block_id") == "bug"]
    assert bug_block["element"]["initial_options"][0]["value"] == "file_bug_report"
    assert slack.sender is not None
    result = slack.sender.view_submission(
        user="U0AGENT2",
        user_team=OUR_TEAM,
        callback_id="resolve_escalation_modal",
        private_metadata=modal["private_metadata"],
        values={
            "tag": {"tag": {"type": "radio_buttons", "selected_option": {"value": "edge_case"}}},
            "bug": {
                "bug": {
                    "type": "checkboxes",
                    "selected_options": [{"value": "file_bug_report"}],
                }
            },
        },
    )
    assert result.status == 200
    [escalation] = _rows(slack, Escalation)
    assert escalation.status == "resolved"
    [row] = _rows(slack, BugReportAccount)
    assert (row.source, row.escalation_id) == ("resolve", escalation.id)
    # the issue and its comment (besides the thread notices of the resolution)
    assert len([r for r in _rows(slack, OutboxEvent) if r.kind != THREAD_NOTICE]) == 2
