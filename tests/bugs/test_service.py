from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.bugs.links import bug_state, claim_announcement, ready_announcements
from app.bugs.service import Filed, file_bug_report, report_text
from app.config_file import (
    EscalationConfig,
    JiraTrackerConfig,
    LinearTrackerConfig,
    WorkspaceConfig,
    load_config,
)
from app.db.bug_report_tables import BugReport
from app.db.engine import session_scope
from app.db.models import Account, Conversation, Escalation, Message
from app.db.outbox_table import OutboxEvent
from app.delivery.outbox import deliver_due
from app.delivery.outcomes import Delivered
from app.integrations.trackers import Trackers

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
BOTH = Trackers(names=("linear", "jira"))
TRACE = (
    'Traceback (most recent call last):\n  File "/srv/{n}/app.py", line {n}, in export\n'
    "KeyError: 'col_{n}'"
)


@pytest.fixture
def config(example_config_path: Path) -> EscalationConfig:
    base = load_config(example_config_path)
    return base.model_copy(
        update={
            "alerts": base.alerts.model_copy(update={"bug_fingerprint": "C0ENGBUGS"}),
        }
    )


def escalation_row(engine: Engine, account: str, text: str, team_id: str = "single") -> int:
    """A customer account of ``team_id`` whose conversation (``text``) was escalated."""
    with session_scope(engine) as session:
        row = Account(name=account, channel_id=f"C0{account.upper()}", tier="pro", team_id=team_id)
        session.add(row)
        session.flush()
        assert row.id is not None
        conversation = Conversation(
            team_id=team_id,
            account_id=row.id,
            channel_id=row.channel_id,
            thread_ts="1.0",
            customer_user_id="U1",
        )
        session.add(conversation)
        session.flush()
        assert conversation.id is not None
        session.add(
            Message(conversation_id=conversation.id, slack_ts="1.0", author="customer", text=text)
        )
        escalation = Escalation(
            team_id=team_id,
            conversation_id=conversation.id,
            account_id=row.id,
            skill="technical",
            language="en",
            tier="pro",
            routed_channel="C0TECH",
            claim_deadline=NOW,
        )
        session.add(escalation)
        session.flush()
        assert escalation.id is not None
        return escalation.id


def _file_in(
    session: Session, config: EscalationConfig, escalation_id: int, now: datetime = NOW
) -> Filed:
    return file_bug_report(
        session=session,
        config=config,
        trackers=BOTH,
        escalation_id=escalation_id,
        user_id="U0AGENT2",
        source="button",
        thread_url="https://x.slack.com/archives/C1/p1",
        now=now,
    )


def _file(
    engine: Engine, config: EscalationConfig, escalation_id: int, now: datetime = NOW
) -> Filed:
    with session_scope(engine) as session:
        return _file_in(session, config, escalation_id, now)


def _events(engine: Engine) -> list[OutboxEvent]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxEvent).order_by(OutboxEvent.id)))  # type: ignore[arg-type]


def test_report_text_takes_steps_expected_and_actual_from_the_customer() -> None:
    text = report_text(
        texts=[
            "It breaks:\n1. open reports\n2. press export\nExpected: a file\n"
            "Actual: nothing happens\n" + TRACE.format(n=1)
        ],
        summary="Export is broken\nmore",
        note="seen on Chrome",
    )
    assert text.title == "KeyError: 'col_1'"
    assert text.steps == ("open reports", "press export")
    assert (text.expected, text.actual) == ("a file", "nothing happens")
    assert text.summary == "Export is broken\nmore\n\nAgent's note: seen on Chrome"
    assert text.error is not None and text.error.stack_trace is not None


def test_one_issue_per_fingerprint_a_comment_per_new_account(
    engine: Engine, config: EscalationConfig
) -> None:
    first = escalation_row(engine, "acme", TRACE.format(n=1))
    second = escalation_row(engine, "globex", "same here\n" + TRACE.format(n=2))
    assert _file(engine, config, first).outcome == "created"
    assert _file(engine, config, first).outcome == "already"  # same account: nothing new
    filed = _file(engine, config, second)
    assert (filed.outcome, filed.affected_accounts) == ("commented", 2)
    assert _file(engine, config, second).outcome == "already"
    events = _events(engine)
    assert [(e.kind, e.idempotency_key, e.after_key) for e in events] == [
        ("linear.issue", "bug:1:linear", None),
        ("jira.issue", "bug:1:jira", None),
        ("linear.comment", "bug:1:linear:account:2", "bug:1:linear"),
        ("jira.comment", "bug:1:jira:account:2", "bug:1:jira"),
    ]
    assert "Affected accounts: 2." in json.loads(events[2].payload)["body"]
    jira_issue = json.loads(events[1].payload)
    assert jira_issue["stack_trace"].endswith("KeyError: 'col_1'")
    assert jira_issue["account"] == "acme (pro)"


def test_a_failed_filing_leaves_nothing_behind(engine: Engine, config: EscalationConfig) -> None:
    first = escalation_row(engine, "acme", TRACE.format(n=1))
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        _file_in(session, config, first)
        raise RuntimeError("the process died before the commit")
    with Session(engine) as session:
        assert list(session.exec(select(BugReport))) == []
    assert _events(engine) == []


def test_an_alert_when_three_accounts_report_it_within_the_window(
    engine: Engine, config: EscalationConfig
) -> None:
    ids = [escalation_row(engine, name, TRACE.format(n=n)) for n, name in enumerate("abcd")]
    _file(engine, config, ids[0], NOW)
    _file(engine, config, ids[1], NOW + timedelta(minutes=70))  # the first is out of the window
    assert not _file(engine, config, ids[2], NOW + timedelta(minutes=80)).alerted
    assert _file(engine, config, ids[3], NOW + timedelta(minutes=90)).alerted
    alerts = [e for e in _events(engine) if e.kind == "slack.alert"]
    [alert] = alerts
    payload = json.loads(alert.payload)
    assert (payload["channel"], payload["event"], payload["quote"]) == (
        "C0ENGBUGS",
        "bug_fingerprint",
        "KeyError: 'col_0'",  # the error as first reported
    )
    assert payload["title"] == "The same error was reported by 3 accounts within 60 minutes"


def test_links_are_ready_once_the_trackers_have_the_records(
    engine: Engine, config: EscalationConfig
) -> None:
    first = escalation_row(engine, "acme", TRACE.format(n=1))
    second = escalation_row(engine, "globex", TRACE.format(n=2))
    _file(engine, config, first)
    _file(engine, config, second)
    with Session(engine) as session:
        assert ready_announcements(session) == []
        assert bug_state(session, first).reported and bug_state(session, first).links == ()

    def tracker(kind: str) -> object:
        def send(payload: dict[str, object], key: str) -> Delivered:
            return Delivered(external_id=f"{kind}-1", external_url=f"https://{kind}.test/I-1")

        return send

    senders = {k: tracker(k.split(".")[0]) for k in ("linear.issue", "jira.issue")}
    deliver_due(engine=engine, senders=senders, now=NOW)  # type: ignore[arg-type]
    with session_scope(engine) as session:
        [ready] = ready_announcements(session)  # the comments are not delivered yet
        assert ready.escalation_id == first and ready.first
        assert [(link.tracker, link.label) for link in ready.links] == [
            ("Linear", "I-1"),
            ("Jira", "jira-1"),
        ]
        assert claim_announcement(session, row_id=ready.row_id, now=NOW)
        assert not claim_announcement(session, row_id=ready.row_id, now=NOW)
    with Session(engine) as session:
        assert ready_announcements(session) == []


def _two_workspaces(config: EscalationConfig) -> EscalationConfig:
    """The example's team as one workspace, and T0BETA sending its issues elsewhere."""
    beta = WorkspaceConfig.model_validate(
        {
            **config.model_dump(include={"skills", "overflow_channel", "leads_channel"}),
            "alerts": {"bug_fingerprint": "C0BETABUGS"},
            "bug_reports": {
                "linear": {"team_id": "team-beta"},
                "jira": {"project_key": "BETA"},
            },
        }
    )
    destinations = config.bug_reports.model_copy(
        update={
            "linear": LinearTrackerConfig(team_id="team-top"),
            "jira": JiraTrackerConfig(project_key="TOP"),
        }
    )
    return config.model_copy(update={"bug_reports": destinations, "workspaces": {BETA: beta}})


BETA = "T0BETA"


def test_the_same_error_in_two_workspaces_is_two_reports_with_two_issues(
    engine: Engine, config: EscalationConfig
) -> None:
    config = _two_workspaces(config)
    here = escalation_row(engine, "acme", TRACE.format(n=1))
    there = escalation_row(engine, "umbrella", TRACE.format(n=2), team_id=BETA)
    here_filed = _file(engine, config, here)
    there_filed = _file(engine, config, there)
    assert (here_filed.outcome, there_filed.outcome) == ("created", "created")
    assert here_filed.bug_report_id != there_filed.bug_report_id
    assert there_filed.affected_accounts == 1  # acme's report is not beta's
    with Session(engine) as session:
        reports = session.exec(select(BugReport).order_by(BugReport.id)).all()  # type: ignore[arg-type]
        assert [(r.team_id, r.fingerprint) for r in reports] == [
            ("single", reports[0].fingerprint),
            (BETA, reports[0].fingerprint),
        ]
    issues = [json.loads(e.payload) for e in _events(engine) if e.kind.endswith(".issue")]
    assert [(i.get("teamId"), i.get("project_key")) for i in issues] == [
        ("team-top", None),
        (None, "TOP"),
        ("team-beta", None),
        (None, "BETA"),
    ]
    assert issues[2]["description"].count("umbrella") and "acme" not in issues[2]["description"]

    def tracker(kind: str) -> object:
        def send(payload: dict[str, object], key: str) -> Delivered:
            return Delivered(external_id=key, external_url=f"https://{kind}.test/{key}")

        return send

    senders = {k: tracker(k.split(".")[0]) for k in ("linear.issue", "jira.issue")}
    deliver_due(engine=engine, senders=senders, now=NOW)  # type: ignore[arg-type]
    with Session(engine) as session:
        [beta_ready] = ready_announcements(session, team_id=BETA)
        [single_ready] = ready_announcements(session, team_id="single")
        assert (beta_ready.escalation_id, single_ready.escalation_id) == (there, here)
        assert beta_ready.first and single_ready.first
        beta_links = {link.url for link in bug_state(session, there).links}
        single_links = {link.url for link in bug_state(session, here).links}
        assert len(beta_links) == len(single_links) == 2 and not beta_links & single_links


def test_the_same_error_twice_in_one_workspace_is_still_one_report(
    engine: Engine, config: EscalationConfig
) -> None:
    config = _two_workspaces(config)
    first = escalation_row(engine, "umbrella", TRACE.format(n=1), team_id=BETA)
    second = escalation_row(engine, "initech", TRACE.format(n=2), team_id=BETA)
    elsewhere = escalation_row(engine, "acme", TRACE.format(n=3))
    beta = _file(engine, config, first)
    assert beta.outcome == "created"
    assert _file(engine, config, first).outcome == "already"
    filed = _file(engine, config, second)
    assert (filed.outcome, filed.bug_report_id, filed.affected_accounts) == (
        "commented",
        beta.bug_report_id,
        2,
    )
    other = _file(engine, config, elsewhere)
    assert (other.outcome, other.affected_accounts) == ("created", 1)
    kinds = [(e.kind, e.idempotency_key) for e in _events(engine)]
    b, o = beta.bug_report_id, other.bug_report_id
    assert kinds == [
        ("linear.issue", f"bug:{b}:linear"),
        ("jira.issue", f"bug:{b}:jira"),
        ("linear.comment", f"bug:{b}:linear:account:2"),
        ("jira.comment", f"bug:{b}:jira:account:2"),
        ("linear.issue", f"bug:{o}:linear"),
        ("jira.issue", f"bug:{o}:jira"),
    ]


def test_an_alert_counts_one_workspace_s_accounts_and_goes_to_its_channel(
    engine: Engine, config: EscalationConfig
) -> None:
    config = _two_workspaces(config)
    ids = [
        escalation_row(engine, name, TRACE.format(n=n), team_id=BETA) for n, name in enumerate("ab")
    ]
    ids.append(escalation_row(engine, "c", TRACE.format(n=9)))  # the same error, another workspace
    assert not any(_file(engine, config, i).alerted for i in ids)  # two and one: under three
    ids.append(escalation_row(engine, "d", TRACE.format(n=4), team_id=BETA))
    assert _file(engine, config, ids[-1]).alerted
    [alert] = [json.loads(e.payload) for e in _events(engine) if e.kind == "slack.alert"]
    assert (alert["team_id"], alert["channel"]) == (BETA, "C0BETABUGS")
