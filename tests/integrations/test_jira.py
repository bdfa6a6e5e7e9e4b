from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db.engine import session_scope
from app.db.outbox_table import OutboxEvent
from app.delivery.outbox import deliver_due, enqueue
from app.delivery.outcomes import PermanentError
from app.integrations.jira import (
    COMMENT_KIND,
    KIND,
    JiraCommentSender,
    JiraSender,
    bug_report_payload,
    comment_payload,
    idempotency_label,
)
from app.integrations.report_content import ReportContent
from app.integrations.settings import JiraSettings
from standins.vendors.jira import (
    DEFAULT_API_TOKEN,
    DEFAULT_EMAIL,
    DEFAULT_PROJECT,
    JiraStandin,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TRACE = 'Traceback (most recent call last):\n  File "pay.py", line 9\nValueError: bad amount'


@pytest.fixture
def standin() -> Iterator[JiraStandin]:
    with JiraStandin(hang_seconds=5) as server:
        yield server


def _options(standin: JiraStandin, **kwargs: Any) -> dict[str, Any]:
    return {
        "base_url": standin.base_url,
        "email": DEFAULT_EMAIL,
        "api_token": DEFAULT_API_TOKEN,
        "project_key": DEFAULT_PROJECT,
        "timeout": 2.0,
        **kwargs,
    }


def _report(
    labels: tuple[str, ...] | list[str] = ("support-escalation",), **overrides: Any
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "Checkout fails with ValueError",
        "summary": "Paying an invoice fails for the whole team.",
        "steps": ["Open checkout", "Press pay"],
        "expected": "The invoice is paid",
        "actual": "A 500 page",
        "stack_trace": TRACE,
        "account_name": "Acme",
        "tier": "enterprise",
        "thread_url": "https://acme.slack.com/archives/C1/p123",
        **overrides,
    }
    return bug_report_payload(ReportContent(**fields), labels=labels)


def _deliver(engine: Engine, senders: dict[str, Any], now: datetime = NOW) -> Any:
    return deliver_due(engine=engine, senders=senders, now=now, rng=random.Random(3))


def _enqueue(engine: Engine, kind: str, key: str, payload: dict[str, Any], **kw: Any) -> int:
    with session_scope(engine) as session:
        event = enqueue(
            session=session, kind=kind, idempotency_key=key, payload=payload, now=NOW, **kw
        )
        assert event.id is not None
        return event.id


def _event(engine: Engine, outbox_id: int) -> OutboxEvent:
    with Session(engine) as session:
        event = session.get(OutboxEvent, outbox_id)
        assert event is not None
        return event


def test_creates_an_issue_with_basic_auth_and_an_adf_description(standin: JiraStandin) -> None:
    delivered = JiraSender(**_options(standin))(_report(), "bug:1:jira")
    [issue] = standin.issues
    assert delivered.external_id == issue.key == f"{DEFAULT_PROJECT}-1"
    assert delivered.external_url == f"{standin.base_url}/browse/{issue.key}"
    search, create = standin.requests
    assert (search.method, search.path) == ("GET", "/rest/api/3/search/jql")
    assert (create.method, create.path) == ("POST", "/rest/api/3/issue")
    expected_auth = base64.b64encode(f"{DEFAULT_EMAIL}:{DEFAULT_API_TOKEN}".encode()).decode()
    assert create.header("Authorization") == f"Basic {expected_auth}"
    fields = create.body["fields"]
    assert fields["project"] == {"key": DEFAULT_PROJECT}
    assert fields["issuetype"] == {"name": "Bug"}
    assert fields["summary"] == "Checkout fails with ValueError"
    assert fields["labels"] == ["support-escalation", idempotency_label("bug:1:jira")]
    description = fields["description"]
    assert (description["type"], description["version"]) == ("doc", 1)
    [code] = [n for n in description["content"] if n["type"] == "codeBlock"]
    assert code["content"] == [{"type": "text", "text": TRACE}]
    headings = [n["content"][0]["text"] for n in description["content"] if n["type"] == "heading"]
    assert headings == ["Summary", "Steps to reproduce", "Expected", "Actual", "Stack trace"]
    link = description["content"][1]["content"][1]
    assert link["marks"] == [
        {"type": "link", "attrs": {"href": "https://acme.slack.com/archives/C1/p123"}}
    ]


def test_the_standin_refuses_what_jira_refuses(standin: JiraStandin) -> None:
    with pytest.raises(PermanentError, match="401"):
        JiraSender(**_options(standin, api_token="wrong"))(_report(), "k")
    with pytest.raises(PermanentError, match="project: project NOPE does not exist"):
        JiraSender(**_options(standin, project_key="NOPE"))(_report(), "k")
    with pytest.raises(PermanentError, match="labels"):
        JiraSender(**_options(standin))(_report(labels=["two words"]), "k")
    assert standin.issues == []


def test_a_retry_after_a_crash_finds_the_issue_instead_of_creating_another(
    engine: Engine, standin: JiraStandin
) -> None:
    sender = JiraSender(**_options(standin))
    outbox_id = _enqueue(engine, KIND, "bug:7:jira", _report())
    # the worker sent it and died before recording the answer: the issue exists in Jira
    sender(_report(), "bug:7:jira")
    assert len(standin.issues) == 1
    assert _deliver(engine, {KIND: sender}).delivered == [outbox_id]
    assert len(standin.issues) == 1
    assert _event(engine, outbox_id).external_id == standin.issues[0].key


def test_server_errors_and_timeouts_are_retried_client_errors_dead_lettered(
    engine: Engine, standin: JiraStandin
) -> None:
    outbox_id = _enqueue(engine, KIND, "bug:1:jira", _report())
    sender = JiraSender(**_options(standin, timeout=0.3))
    standin.mode = "error_500"
    assert _deliver(engine, {KIND: sender}).retried == [outbox_id]
    standin.mode = "hang"
    assert _deliver(engine, {KIND: sender}, NOW + timedelta(days=1)).retried == [outbox_id]
    assert "Jira unreachable" in (_event(engine, outbox_id).last_error or "")
    standin.mode = "bad_request"
    assert _deliver(engine, {KIND: sender}, NOW + timedelta(days=2)).dead == [outbox_id]
    event = _event(engine, outbox_id)
    assert event.status == "dead" and "HTTP 400: Argument Validation Error" in (
        event.last_error or ""
    )
    assert standin.issues == []


def test_a_comment_waits_for_its_issue_and_is_added_once(
    engine: Engine, standin: JiraStandin
) -> None:
    issue_id = _enqueue(engine, KIND, "bug:1:jira", _report())
    comment_id = _enqueue(
        engine,
        COMMENT_KIND,
        "bug:1:jira:account:2",
        comment_payload(body="Also reported by Globex (pro). Affected accounts: 2."),
        after_key="bug:1:jira",
    )
    senders = {
        KIND: JiraSender(**_options(standin)),
        COMMENT_KIND: JiraCommentSender(**_options(standin)),
    }
    standin.mode = "error_500"
    report = _deliver(engine, senders)
    assert report.retried == [issue_id]  # the comment was not even tried
    standin.mode = "ok"
    report = _deliver(engine, senders, NOW + timedelta(days=1))
    assert report.delivered == [issue_id, comment_id]
    [issue] = standin.issues
    [comment] = issue.comments
    assert comment["body"]["content"][0]["content"][0]["text"].endswith("Affected accounts: 2.")
    assert comment["properties"] == [
        {"key": "escalation-bot", "value": {"idempotencyKey": "bug:1:jira:account:2"}}
    ]
    # sent again after a crash: the property finds it, nothing is added
    again = JiraCommentSender(**_options(standin))(
        {"body": "x", "after": {"external_id": issue.key}}, "bug:1:jira:account:2"
    )
    assert again.external_id == comment["id"] and len(issue.comments) == 1


def test_settings_say_what_is_missing() -> None:
    assert JiraSettings().missing() == [
        "JIRA_BASE_URL",
        "JIRA_EMAIL",
        "JIRA_API_TOKEN",
        "JIRA_PROJECT_KEY",
    ]
    partial = JiraSettings(jira_base_url="https://acme.atlassian.net", jira_project_key="SUP")
    assert partial.missing() == ["JIRA_EMAIL", "JIRA_API_TOKEN"] and not partial.enabled
    with pytest.raises(ValueError, match="JIRA_EMAIL, JIRA_API_TOKEN"):
        JiraSender.from_settings(partial)
