"""Linear: a bug report payload builder and senders posting GraphQL ``issueCreate`` and
``commentCreate``.

Linear takes a client-supplied ``id`` (a UUID) for new issues and comments. Each one's id is
derived from the outbox idempotency key, so a retry after a crash (the issue was created but
not recorded) cannot create a second one: Linear refuses the id, and the sender finds the
existing record by that id instead. The key also travels as the ``Idempotency-Key`` header.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from app.delivery.outcomes import Delivered, PermanentError
from app.integrations.http_json import call_json
from app.integrations.report_content import ReportContent
from app.integrations.settings import LinearSettings
from app.redaction import Redactor, redact

KIND = "linear.issue"
COMMENT_KIND = "linear.comment"
TITLE_LIMIT = 250
DEFAULT_TIMEOUT_SECONDS = 10.0

ISSUE_CREATE = """mutation IssueCreate($input: IssueCreateInput!) {
  issueCreate(input: $input) {
    success
    issue { id identifier url }
  }
}"""

ISSUE_BY_ID = """query Issue($id: String!) {
  issue(id: $id) { id identifier url }
}"""

COMMENT_CREATE = """mutation CommentCreate($input: CommentCreateInput!) {
  commentCreate(input: $input) {
    success
    comment { id url }
  }
}"""

COMMENT_BY_ID = """query Comment($id: String!) {
  comment(id: $id) { id url }
}"""


def record_id(idempotency_key: str) -> str:
    """A UUID (v4 format) derived from the key: the same key always names the same record."""
    digest = hashlib.sha256(idempotency_key.encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def bug_report_payload(
    report: ReportContent,
    *,
    label_ids: list[str] | tuple[str, ...] = (),
    redactor: Redactor | None = None,
) -> dict[str, Any]:
    """The outbox payload of a bug report: title and Markdown description, all text redacted."""

    def clean(text: str) -> str:
        return redact(text, redactor)

    lines = [f"**Account:** {clean(report.account_name)} ({clean(report.tier)})"]
    if report.thread_url:
        lines.append(f"**Slack thread:** {clean(report.thread_url)}")
    lines += ["", "## Summary", clean(report.summary).strip() or "_none_"]
    if report.steps:
        lines += ["", "## Steps to reproduce"]
        lines += [f"{n}. {clean(step).strip()}" for n, step in enumerate(report.steps, start=1)]
    for heading, text in (("Expected", report.expected), ("Actual", report.actual)):
        if text and text.strip():
            lines += ["", f"## {heading}", clean(text).strip()]
    if report.stack_trace and report.stack_trace.strip():
        trace = clean(report.stack_trace).strip("\n").replace("```", "`\u200b``")
        lines += ["", "## Stack trace", "```", trace, "```"]
    payload: dict[str, Any] = {
        "title": clean(report.title).strip()[:TITLE_LIMIT] or "Bug report",
        "description": "\n".join(lines) + "\n",
    }
    if label_ids:
        payload["labelIds"] = list(label_ids)
    return payload


def comment_payload(*, body: str, redactor: Redactor | None = None) -> dict[str, Any]:
    """The outbox payload of a comment on the issue its row waits for (``after_key``)."""
    return {"body": redact(body, redactor)}


class _LinearApi:
    """One kind of Linear record, created by a mutation and found again by its id."""

    FIELD = ""  # "issue" | "comment"
    LOOKUP = ""  # the query that finds one by id

    def request_body(self, payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        raise NotImplementedError

    def __call__(self, payload: dict[str, Any], idempotency_key: str) -> Delivered:
        return self._create(
            body=self.request_body(payload, idempotency_key),
            field=self.FIELD,
            lookup=self.LOOKUP,
            record=record_id(idempotency_key),
            key=idempotency_key,
        )

    def __init__(
        self,
        *,
        api_key: str,
        api_url: str,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        redactor: Redactor | None = None,
    ) -> None:
        if not api_url.startswith(("http://", "https://")):
            raise ValueError("the Linear API URL must be http(s)")
        self._api_key = api_key
        self._api_url = api_url
        self._timeout = timeout
        self._redactor = redactor

    def _clean(self, text: object) -> str:
        return redact(str(text), self._redactor)

    def _post(self, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        """The ``data`` of a GraphQL answer; GraphQL ``errors`` raise PermanentError."""
        answer = call_json(
            method="POST",
            url=self._api_url,
            token=None,
            service="Linear",
            timeout=self._timeout,
            read_error=_error_messages,
            body=body,
            headers={"Authorization": self._api_key, "Idempotency-Key": idempotency_key},
        )
        if not isinstance(answer, dict):
            raise PermanentError("Linear answered with an unexpected body")
        if answer.get("errors"):
            raise PermanentError(f"GraphQL errors: {redact(_error_messages(answer))}")
        data = answer.get("data")
        return data if isinstance(data, dict) else {}

    def _existing(self, query: str, field: str, record: str, key: str) -> dict[str, Any] | None:
        """The record with this id, if Linear has it."""
        try:
            data = self._post({"query": query, "variables": {"id": record}}, key)
        except PermanentError:
            return None  # "Entity not found" is a GraphQL error
        found = data.get(field)
        return found if isinstance(found, dict) and found.get("id") else None

    def _create(
        self, *, body: dict[str, Any], field: str, lookup: str, record: str, key: str
    ) -> Delivered:
        mutation = body["query"].split("(", 1)[0].split()[-1]
        name = mutation[0].lower() + mutation[1:]
        try:
            result = self._post(body, key).get(name) or {}
        except PermanentError:
            existing = self._existing(lookup, field, record, key)
            if existing is None:
                raise
            return Delivered(external_id=str(existing["id"]), external_url=existing.get("url"))
        created = result.get(field) or {}
        if not result.get("success") or not created.get("id"):
            raise PermanentError(f"{name} did not succeed")
        return Delivered(external_id=str(created["id"]), external_url=created.get("url"))


class LinearSender(_LinearApi):
    """Creates one Linear issue per outbox payload (``title``, ``description``, ``labelIds``)."""

    FIELD, LOOKUP = "issue", ISSUE_BY_ID

    def __init__(self, *, team_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._team_id = team_id

    @classmethod
    def from_settings(cls, settings: LinearSettings, **kwargs: Any) -> LinearSender:
        if not settings.enabled:
            raise ValueError("Linear is not configured (LINEAR_API_KEY and LINEAR_TEAM_ID)")
        assert settings.linear_api_key is not None and settings.linear_team_id is not None
        options: dict[str, Any] = {"team_id": settings.linear_team_id, **kwargs}
        return cls(
            api_key=settings.linear_api_key.get_secret_value(),
            api_url=settings.linear_api_url,
            **options,
        )

    def request_body(self, payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        issue: dict[str, Any] = {
            "id": record_id(idempotency_key),
            "teamId": str(payload.get("teamId") or self._team_id),
            "title": self._clean(payload["title"]),
            "description": self._clean(payload["description"]),
        }
        if payload.get("labelIds"):
            issue["labelIds"] = [str(label) for label in payload["labelIds"]]
        return {"query": ISSUE_CREATE, "variables": {"input": issue}}


class LinearCommentSender(_LinearApi):
    """Adds a comment (``body``) to the issue the row waited for (``after.external_id``)."""

    FIELD, LOOKUP = "comment", COMMENT_BY_ID

    @classmethod
    def from_settings(cls, settings: LinearSettings, **kwargs: Any) -> LinearCommentSender:
        if settings.linear_api_key is None:
            raise ValueError("Linear is not configured (LINEAR_API_KEY)")
        return cls(
            api_key=settings.linear_api_key.get_secret_value(),
            api_url=settings.linear_api_url,
            **kwargs,
        )

    def request_body(self, payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        issue_id = (payload.get("after") or {}).get("external_id")
        if not issue_id:
            raise PermanentError("the comment's issue has no Linear id")
        comment = {
            "id": record_id(idempotency_key),
            "issueId": str(issue_id),
            "body": self._clean(payload["body"]),
        }
        return {"query": COMMENT_CREATE, "variables": {"input": comment}}


def _error_messages(body: Any) -> str:
    """GraphQL ``errors`` messages, joined."""
    errors = body.get("errors") or [] if isinstance(body, dict) else []
    return "; ".join(str(e.get("message", e)) for e in errors)[:300] or "no details"
