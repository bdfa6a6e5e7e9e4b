"""Jira Cloud: a bug report payload builder and senders for REST v3 ``POST /rest/api/3/issue``
(description in Atlassian Document Format, the stack trace in a ``codeBlock``) and
``POST /rest/api/3/issue/{key}/comment``, with basic auth (e-mail and API token).

Jira has no idempotency keys. Each issue carries a label derived from the outbox key, and the
sender searches for it (JQL) before creating, so a retry after a crash (created, not recorded)
finds the issue instead of making a second. A comment carries the key as an entity property,
and the issue's comments are read (``expand=properties``) before adding it.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import quote, urlencode

from app.delivery.outcomes import Delivered, PermanentError
from app.integrations.http_json import call_json
from app.integrations.report_content import ReportContent
from app.integrations.settings import JiraSettings
from app.redaction import Redactor, redact

KIND = "jira.issue"
COMMENT_KIND = "jira.comment"
SUMMARY_LIMIT = 254
PROPERTY_KEY = "escalation-bot"
LABEL_PREFIX = "escalation-bot-"
COMMENT_PAGE = 100
DEFAULT_TIMEOUT_SECONDS = 10.0


def idempotency_label(idempotency_key: str) -> str:
    """The label that marks the issue made for this outbox key (no spaces: a Jira label)."""
    return LABEL_PREFIX + hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]


def bug_report_payload(
    report: ReportContent,
    *,
    labels: list[str] | tuple[str, ...] = (),
    issue_type: str = "Bug",
    project_key: str | None = None,
    redactor: Redactor | None = None,
) -> dict[str, Any]:
    """The outbox payload of a bug report: the issue's fields, all text redacted."""

    def clean(text: str | None) -> str | None:
        return redact(text, redactor).strip() if text and text.strip() else None

    payload: dict[str, Any] = {
        "summary": (clean(report.title) or "Bug report")[:SUMMARY_LIMIT],
        "issue_type": issue_type,
        "labels": list(labels),
        "account": f"{clean(report.account_name) or '-'} ({clean(report.tier) or '-'})",
        "thread_url": clean(report.thread_url),
        "description": clean(report.summary),
        "steps": [step for step in (clean(s) for s in report.steps) if step],
        "expected": clean(report.expected),
        "actual": clean(report.actual),
        "stack_trace": (
            redact(report.stack_trace, redactor).strip("\n") if report.stack_trace else None
        ),
    }
    if project_key:
        payload["project_key"] = project_key
    return payload


def comment_payload(*, body: str, redactor: Redactor | None = None) -> dict[str, Any]:
    """The outbox payload of a comment on the issue its row waits for (``after_key``)."""
    return {"body": redact(body, redactor)}


def _text(text: str, *, href: str | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": text}
    if href:
        node["marks"] = [{"type": "link", "attrs": {"href": href}}]
    return node


def _paragraph(*nodes: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(nodes)}


def _heading(text: str) -> dict[str, Any]:
    return {"type": "heading", "attrs": {"level": 2}, "content": [_text(text)]}


def adf_text(text: str) -> dict[str, Any]:
    """Plain text as an ADF document: one paragraph per non-empty line."""
    lines = [line for line in text.splitlines() if line.strip()] or ["-"]
    return {"type": "doc", "version": 1, "content": [_paragraph(_text(ln)) for ln in lines]}


def adf_description(payload: dict[str, Any], *, clean: Any = str) -> dict[str, Any]:
    """The report as an ADF document (``clean`` is applied to every text)."""
    content: list[dict[str, Any]] = [_paragraph(_text(clean(f"Account: {payload['account']}")))]
    url = payload.get("thread_url")
    if url and str(url).startswith(("https://", "http://")):
        content.append(_paragraph(_text("Slack thread: "), _text(clean(url), href=clean(url))))
    content += [_heading("Summary"), _paragraph(_text(clean(payload.get("description") or "-")))]
    steps = payload.get("steps") or []
    if steps:
        items = [{"type": "listItem", "content": [_paragraph(_text(clean(s)))]} for s in steps]
        content += [_heading("Steps to reproduce"), {"type": "orderedList", "content": items}]
    for heading, key in (("Expected", "expected"), ("Actual", "actual")):
        if payload.get(key):
            content += [_heading(heading), _paragraph(_text(clean(payload[key])))]
    if payload.get("stack_trace"):
        block = {"type": "codeBlock", "content": [_text(clean(payload["stack_trace"]))]}
        content += [_heading("Stack trace"), block]
    return {"type": "doc", "version": 1, "content": content}


class _JiraApi:
    def __init__(
        self,
        *,
        base_url: str,
        email: str,
        api_token: str,
        project_key: str,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        redactor: Redactor | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("the Jira base URL must be http(s)")
        self._base_url = base_url.rstrip("/")
        credentials = base64.b64encode(f"{email}:{api_token}".encode()).decode()
        self._auth = f"Basic {credentials}"
        self._project_key = project_key
        self._timeout = timeout
        self._redactor = redactor

    @classmethod
    def from_settings(cls, settings: JiraSettings, **kwargs: Any) -> Any:
        if not settings.enabled:
            raise ValueError(f"Jira is not configured ({', '.join(settings.missing())})")
        assert settings.jira_api_token is not None
        return cls(
            base_url=str(settings.jira_base_url),
            email=str(settings.jira_email),
            api_token=settings.jira_api_token.get_secret_value(),
            project_key=str(settings.jira_project_key),
            **kwargs,
        )

    def _clean(self, text: object) -> str:
        return redact(str(text), self._redactor)

    def browse_url(self, key: str) -> str:
        return f"{self._base_url}/browse/{quote(key)}"

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        return call_json(
            method=method,
            url=self._base_url + path,
            token=None,
            service="Jira",
            timeout=self._timeout,
            read_error=_error_messages,
            body=body,
            headers={"Authorization": self._auth},
        )


class JiraSender(_JiraApi):
    """Creates one Jira issue per outbox payload, unless its label finds one already."""

    def request_body(self, payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        labels = [str(label) for label in payload.get("labels") or []]
        fields: dict[str, Any] = {
            "project": {"key": str(payload.get("project_key") or self._project_key)},
            "summary": self._clean(payload["summary"])[:SUMMARY_LIMIT],
            "issuetype": {"name": str(payload.get("issue_type") or "Bug")},
            "description": adf_description(payload, clean=self._clean),
            "labels": [*labels, idempotency_label(idempotency_key)],
        }
        return {"fields": fields}

    def find(self, idempotency_key: str, project_key: str) -> Delivered | None:
        """The issue created earlier for this key, if any."""
        jql = f'project = "{project_key}" AND labels = "{idempotency_label(idempotency_key)}"'
        query = urlencode({"jql": jql, "fields": "summary", "maxResults": 1})
        answer = self._call("GET", f"/rest/api/3/search/jql?{query}")
        issues = answer.get("issues") if isinstance(answer, dict) else None
        if not issues:
            return None
        key = str(issues[0]["key"])
        return Delivered(external_id=key, external_url=self.browse_url(key))

    def __call__(self, payload: dict[str, Any], idempotency_key: str) -> Delivered:
        body = self.request_body(payload, idempotency_key)
        found = self.find(idempotency_key, body["fields"]["project"]["key"])
        if found is not None:
            return found
        answer = self._call("POST", "/rest/api/3/issue", body)
        if not isinstance(answer, dict) or not answer.get("key"):
            raise PermanentError("Jira did not answer with the new issue's key")
        key = str(answer["key"])
        return Delivered(external_id=key, external_url=self.browse_url(key))


class JiraCommentSender(_JiraApi):
    """Adds a comment (``body``) to the issue the row waited for (``after.external_id``)."""

    def request_body(self, payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return {
            "body": adf_text(self._clean(payload["body"])),
            "properties": [{"key": PROPERTY_KEY, "value": {"idempotencyKey": idempotency_key}}],
        }

    def find(self, issue_key: str, idempotency_key: str) -> Delivered | None:
        """The comment added earlier for this key, if any (the newest page of comments)."""
        query = urlencode(
            {"orderBy": "-created", "maxResults": COMMENT_PAGE, "expand": "properties"}
        )
        answer = self._call("GET", f"/rest/api/3/issue/{quote(issue_key)}/comment?{query}")
        for comment in (answer or {}).get("comments") or []:
            for prop in comment.get("properties") or []:
                value = prop.get("value") if prop.get("key") == PROPERTY_KEY else None
                if isinstance(value, dict) and value.get("idempotencyKey") == idempotency_key:
                    return self._delivered(issue_key, str(comment["id"]))
        return None

    def _delivered(self, issue_key: str, comment_id: str) -> Delivered:
        url = f"{self.browse_url(issue_key)}?focusedCommentId={quote(comment_id)}"
        return Delivered(external_id=comment_id, external_url=url)

    def __call__(self, payload: dict[str, Any], idempotency_key: str) -> Delivered:
        issue_key = (payload.get("after") or {}).get("external_id")
        if not issue_key:
            raise PermanentError("the comment's issue has no Jira key")
        found = self.find(str(issue_key), idempotency_key)
        if found is not None:
            return found
        body = self.request_body(payload, idempotency_key)
        answer = self._call("POST", f"/rest/api/3/issue/{quote(str(issue_key))}/comment", body)
        if not isinstance(answer, dict) or not answer.get("id"):
            raise PermanentError("Jira did not answer with the new comment's id")
        return self._delivered(str(issue_key), str(answer["id"]))


def _error_messages(body: Any) -> str:
    """Jira's ``errorMessages`` and per-field ``errors``, joined."""
    messages = [str(m) for m in body.get("errorMessages") or []]
    messages += [f"{field}: {text}" for field, text in (body.get("errors") or {}).items()]
    return "; ".join(messages)
