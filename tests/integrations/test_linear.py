from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db.engine import session_scope
from app.db.outbox_table import OutboxEvent
from app.delivery.outbox import deliver_due, enqueue
from app.delivery.outcomes import PermanentError, RetryableError
from app.errors import StartupError
from app.integrations.linear import (
    COMMENT_KIND,
    KIND,
    LinearCommentSender,
    LinearSender,
    bug_report_payload,
    comment_payload,
    record_id,
)
from app.integrations.report_content import ReportContent
from app.integrations.settings import DEFAULT_LINEAR_API_URL, load_linear_settings
from standins.vendors.linear import DEFAULT_API_KEY, DEFAULT_TEAM_ID, LinearStandin

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
PII = {
    "email": "jane.doe@customer-corp.com",
    "phone": "+1 415-555-0142",
    "card": "4111 1111 1111 1111",
    "token": "xoxb-1234567890-abcdefghijklmnopqrstuvwx",
    "key": "sk-AbCdEfGhIjKlMnOpQrStUvWx0123",
}


@pytest.fixture
def standin() -> Iterator[LinearStandin]:
    with LinearStandin(hang_seconds=5) as server:
        yield server


def _sender(standin: LinearStandin, **kwargs: Any) -> LinearSender:
    options: dict[str, Any] = {"timeout": 2.0, **kwargs}
    return LinearSender(
        api_key=DEFAULT_API_KEY, team_id=DEFAULT_TEAM_ID, api_url=standin.url, **options
    )


def _report(label_ids: tuple[str, ...] | list[str] = (), **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": f"Checkout fails for {PII['email']}",
        "summary": f"Customer {PII['email']} (phone {PII['phone']}) paid with {PII['card']}.",
        "steps": ["Open checkout", f"Paste the token {PII['token']}", "Press pay"],
        "stack_trace": f'Traceback:\n  File "pay.py", line 9\nValueError: key={PII["key"]}',
        "account_name": "Acme",
        "tier": "enterprise",
        "thread_url": "https://acme.slack.com/archives/C1/p123",
        **overrides,
    }
    return bug_report_payload(ReportContent(**fields), label_ids=label_ids)


def _enqueue(engine: Engine, key: str = "bug:1") -> int:
    with session_scope(engine) as session:
        event = enqueue(session=session, kind=KIND, idempotency_key=key, payload=_report(), now=NOW)
        assert event.id is not None
        return event.id


def _deliver(engine: Engine, sender: LinearSender, now: datetime = NOW) -> Any:
    return deliver_due(engine=engine, senders={KIND: sender}, now=now, rng=random.Random(1))


def _event(engine: Engine, outbox_id: int) -> OutboxEvent:
    with Session(engine) as session:
        event = session.get(OutboxEvent, outbox_id)
        assert event is not None
        return event


def test_bug_report_payload_is_markdown_and_redacted() -> None:
    payload = _report(label_ids=["label-bug"])
    description = payload["description"]
    assert "## Steps to reproduce\n1. Open checkout\n2. Paste the token [secret]\n3. Press pay" in (
        description
    )
    assert (
        '## Stack trace\n```\nTraceback:\n  File "pay.py", line 9\nValueError: key=[secret]\n```'
        in (description)
    )
    assert "**Account:** Acme (enterprise)" in description
    assert payload["title"] == "Checkout fails for [email]"
    assert payload["labelIds"] == ["label-bug"]
    text = json.dumps(payload)
    assert not [value for value in PII.values() if value in text]


def test_creates_an_issue_with_the_api_key_and_the_graphql_shape(standin: LinearStandin) -> None:
    delivered = _sender(standin)(_report(label_ids=["label-bug"]), "bug:1")
    [issue] = standin.issues
    assert (delivered.external_id, delivered.external_url) == (issue.id, issue.url)
    [request] = standin.requests
    assert request.header("Authorization") == DEFAULT_API_KEY
    assert request.header("Idempotency-Key") == "bug:1"
    body = request.body
    assert "mutation" in body["query"] and "issueCreate(input: $input)" in body["query"]
    assert set(body["variables"]["input"]) == {"id", "teamId", "title", "description", "labelIds"}
    assert issue.team_id == DEFAULT_TEAM_ID and issue.label_ids == ("label-bug",)


def test_a_wrong_api_key_is_permanent(standin: LinearStandin) -> None:
    with pytest.raises(PermanentError, match="401"):
        LinearSender(api_key="lin_api_wrong", team_id=DEFAULT_TEAM_ID, api_url=standin.url)(
            _report(), "bug:1"
        )
    assert standin.issues == []


def test_an_unknown_team_is_permanent(standin: LinearStandin) -> None:
    sender = LinearSender(api_key=DEFAULT_API_KEY, team_id="nope", api_url=standin.url)
    with pytest.raises(PermanentError, match="team nope not found"):
        sender(_report(), "bug:1")


def test_the_sender_maps_faults(standin: LinearStandin) -> None:
    standin.mode = "error_500"
    with pytest.raises(RetryableError, match="500"):
        _sender(standin)(_report(), "k")
    standin.mode = "bad_request"
    with pytest.raises(PermanentError, match="Argument Validation Error"):
        _sender(standin)(_report(), "k")


def test_server_errors_are_retried_through_the_outbox(
    engine: Engine, standin: LinearStandin
) -> None:
    outbox_id = _enqueue(engine)
    sender = _sender(standin)
    standin.mode = "error_500"
    assert _deliver(engine, sender).retried == [outbox_id]
    assert standin.issues == []
    standin.mode = "ok"
    assert _deliver(engine, sender, NOW + timedelta(days=1)).delivered == [outbox_id]
    [issue] = standin.issues
    event = _event(engine, outbox_id)
    assert (event.status, event.external_id, event.external_url) == (
        "delivered",
        issue.id,
        issue.url,
    )
    assert _deliver(engine, sender, NOW + timedelta(days=2)).attempted == 0
    assert len(standin.issues) == 1


def test_a_timeout_is_retried(engine: Engine, standin: LinearStandin) -> None:
    outbox_id = _enqueue(engine)
    standin.mode = "hang"
    assert _deliver(engine, _sender(standin, timeout=0.2)).retried == [outbox_id]
    event = _event(engine, outbox_id)
    assert event.status == "pending" and "Linear unreachable" in (event.last_error or "")
    standin.mode = "ok"
    assert _deliver(engine, _sender(standin), NOW + timedelta(days=1)).delivered == [outbox_id]


def test_graphql_errors_are_dead_lettered(engine: Engine, standin: LinearStandin) -> None:
    outbox_id = _enqueue(engine)
    standin.mode = "bad_request"
    assert _deliver(engine, _sender(standin)).dead == [outbox_id]
    event = _event(engine, outbox_id)
    assert event.status == "dead"
    assert "Argument Validation Error" in (event.last_error or "")


def test_no_personal_data_leaves_in_any_request(engine: Engine, standin: LinearStandin) -> None:
    for n in range(3):
        _enqueue(engine, f"bug:{n}")
    # a payload enqueued without the builder is redacted by the sender too
    with session_scope(engine) as session:
        raw = {"title": f"From {PII['email']}", "description": f"card {PII['card']}"}
        enqueue(session=session, kind=KIND, idempotency_key="raw", payload=raw, now=NOW)
    standin.mode = "error_500"
    _deliver(engine, _sender(standin))
    standin.mode = "ok"
    _deliver(engine, _sender(standin), NOW + timedelta(days=1))
    assert len(standin.issues) == 4
    assert len(standin.requests) == 8
    for request in standin.requests:
        body = request.raw.decode()
        assert not [value for value in PII.values() if value in body], body


def test_settings_turn_the_integration_on(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LINEAR_API_KEY", "LINEAR_TEAM_ID", "LINEAR_API_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_linear_settings()
    assert not settings.enabled and settings.linear_api_url == DEFAULT_LINEAR_API_URL
    monkeypatch.setenv("LINEAR_API_KEY", "lin_api_x")
    assert not load_linear_settings().enabled
    monkeypatch.setenv("LINEAR_TEAM_ID", "team-1")
    monkeypatch.setenv("LINEAR_API_URL", "http://127.0.0.1:9/graphql")
    settings = load_linear_settings()
    assert settings.enabled
    sender = LinearSender.from_settings(settings)
    assert isinstance(sender, LinearSender)
    monkeypatch.setenv("LINEAR_API_URL", "file:///etc/passwd")
    with pytest.raises(StartupError, match="LINEAR_API_URL is invalid"):
        load_linear_settings()


def test_issue_ids_derive_from_the_idempotency_key() -> None:
    assert record_id("bug:1:linear") == record_id("bug:1:linear")
    assert record_id("bug:1:linear") != record_id("bug:2:linear")
    assert uuid.UUID(record_id("bug:1:linear")).version == 4


def test_a_retry_after_a_crash_finds_the_issue_instead_of_creating_another(
    engine: Engine, standin: LinearStandin
) -> None:
    outbox_id = _enqueue(engine, "bug:9:linear")
    sender = _sender(standin)
    # the worker sent it and died before recording the answer: Linear has the issue
    first = sender(_report(), "bug:9:linear")
    assert _deliver(engine, sender).delivered == [outbox_id]
    [issue] = standin.issues
    assert issue.id == first.external_id == record_id("bug:9:linear")
    event = _event(engine, outbox_id)
    assert (event.external_id, event.external_url) == (issue.id, issue.url)
    refused, lookup = (r.body for r in standin.requests[1:])
    assert "issueCreate" in refused["query"] and "issue(id: $id)" in lookup["query"]


def test_a_comment_waits_for_its_issue(engine: Engine, standin: LinearStandin) -> None:
    issue_row = _enqueue(engine, "bug:1:linear")
    with session_scope(engine) as session:
        comment = enqueue(
            session=session,
            kind=COMMENT_KIND,
            idempotency_key="bug:1:linear:account:2",
            payload=comment_payload(body=f"Also reported by {PII['email']}. Affected accounts: 2."),
            now=NOW,
            after_key="bug:1:linear",
        )
        comment_row = comment.id
    senders = {
        KIND: _sender(standin),
        COMMENT_KIND: LinearCommentSender(api_key=DEFAULT_API_KEY, api_url=standin.url),
    }
    standin.mode = "error_500"
    report = deliver_due(engine=engine, senders=senders, now=NOW, rng=random.Random(1))
    assert report.retried == [issue_row]
    standin.mode = "ok"
    later = NOW + timedelta(days=1)
    report = deliver_due(engine=engine, senders=senders, now=later, rng=random.Random(1))
    assert report.delivered == [issue_row, comment_row]
    [issue] = standin.issues
    [created] = standin.comments
    assert created.issue_id == issue.id and created.id == record_id("bug:1:linear:account:2")
    assert created.body == "Also reported by [email]. Affected accounts: 2."
    # sent again after a crash: Linear refuses the id, the sender finds the comment
    again = senders[COMMENT_KIND](
        {"body": "x", "after": {"external_id": issue.id}}, "bug:1:linear:account:2"
    )
    assert again.external_id == created.id and len(standin.comments) == 1
