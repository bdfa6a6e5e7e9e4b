"""No personal data in any tracker payload: property tests over the Linear and Jira builders and
the request bodies their senders post, with generated e-mails, phones, cards and keys."""

from __future__ import annotations

import json
import string
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.integrations import jira, linear
from app.integrations.report_content import ReportContent
from app.redaction import luhn_valid

ALNUM = string.ascii_letters + string.digits


@st.composite
def emails(draw: st.DrawFn) -> str:
    local = draw(st.text(string.ascii_lowercase + string.digits + "._+-", min_size=1, max_size=20))
    local = local.strip(".") or "x"
    labels = draw(
        st.lists(
            st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=10),
            min_size=1,
            max_size=3,
        )
    )
    tld = draw(st.text(string.ascii_lowercase, min_size=2, max_size=6))
    return f"{local}@{'.'.join(labels)}.{tld}"


@st.composite
def phones(draw: st.DrawFn) -> str:
    country = draw(st.integers(1, 999))
    groups = draw(st.lists(st.integers(100, 9999), min_size=2, max_size=3))
    sep = draw(st.sampled_from([" ", "-", "."]))
    return f"+{country} " + sep.join(str(g) for g in groups)


@st.composite
def cards(draw: st.DrawFn) -> str:
    length = draw(st.sampled_from([15, 16]))
    body = draw(st.text(string.digits, min_size=length - 1, max_size=length - 1))
    body = str(draw(st.integers(1, 9))) + body[1:]
    check = next(d for d in string.digits if luhn_valid(body + d))
    digits = body + check
    sep = draw(st.sampled_from(["", " ", "-"]))
    return sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))


@st.composite
def keys(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["sk-", "xoxb-", "xoxp-", "ghp_", "lin_api_", "AKIA"]))
    if prefix == "AKIA":
        return prefix + draw(
            st.text(string.ascii_uppercase + string.digits, min_size=16, max_size=16)
        )
    return prefix + draw(st.text(ALNUM, min_size=24, max_size=40))


secrets = st.one_of(emails(), phones(), cards(), keys())


def _texts(values: list[str]) -> ReportContent:
    joined = " and ".join(values)
    return ReportContent(
        title=f"Login fails for {values[0]}",
        summary=f"The customer wrote: {joined}.",
        steps=[f"Sign in as {v}" for v in values],
        expected=f"works for {values[-1]}",
        actual=f"error mentioning {joined}",
        stack_trace=(
            f'Traceback (most recent call last):\n  File "a.py", line 1\nValueError: {joined}'
        ),
        account_name="Acme",
        tier="enterprise",
        thread_url="https://acme.slack.com/archives/C1/p1",
    )


def _leaks(values: list[str], *documents: Any) -> list[str]:
    text = json.dumps(documents)
    return [value for value in values if value in text]


@settings(max_examples=150, deadline=None)
@given(st.lists(secrets, min_size=1, max_size=4))
def test_linear_payloads_and_requests_carry_no_personal_data(values: list[str]) -> None:
    payload = linear.bug_report_payload(_texts(values))
    sender = linear.LinearSender(api_key="k", team_id="t", api_url="http://127.0.0.1:9/graphql")
    comments = linear.LinearCommentSender(api_key="k", api_url="http://127.0.0.1:9/graphql")
    comment = {**linear.comment_payload(body=" ".join(values)), "after": {"external_id": "i"}}
    raw = {"title": " ".join(values), "description": " ".join(values)}  # not from the builder
    documents = [
        payload,
        sender.request_body(payload, "k1"),
        sender.request_body(raw, "k2"),
        comments.request_body(comment, "k3"),
    ]
    assert _leaks(values, *documents) == []


@settings(max_examples=150, deadline=None)
@given(st.lists(secrets, min_size=1, max_size=4))
def test_jira_payloads_and_requests_carry_no_personal_data(values: list[str]) -> None:
    payload = jira.bug_report_payload(_texts(values))
    options = {
        "base_url": "http://127.0.0.1:9",
        "email": "e",
        "api_token": "t",
        "project_key": "SUP",
    }
    sender = jira.JiraSender(**options)
    comments = jira.JiraCommentSender(**options)
    raw = {**payload, "summary": " ".join(values), "description": " ".join(values)}
    documents = [
        payload,
        sender.request_body(payload, "k1"),
        sender.request_body(raw, "k2"),
        comments.request_body(jira.comment_payload(body=" ".join(values)), "k3"),
    ]
    assert _leaks(values, *documents) == []
