"""Linear: a bug report payload builder and a sender posting GraphQL ``issueCreate``.

Linear has no native idempotency: the outbox claims each row once and never re-sends a row whose
issue id is recorded. The idempotency key travels as the ``Idempotency-Key`` header for tracing.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from email.message import Message
from typing import Any

from app.integrations.delivery import Delivered, PermanentError, RetryableError
from app.integrations.redaction import Redactor, redact
from app.integrations.settings import LinearSettings

KIND = "linear.issue"
DEFAULT_TIMEOUT_SECONDS = 10.0
TITLE_LIMIT = 250

ISSUE_CREATE = """mutation IssueCreate($input: IssueCreateInput!) {
  issueCreate(input: $input) {
    success
    issue { id identifier url }
  }
}"""


def bug_report_payload(
    *,
    title: str,
    summary: str,
    steps: list[str] | tuple[str, ...],
    stack_trace: str | None,
    account_name: str,
    tier: str,
    thread_url: str | None,
    label_ids: list[str] | tuple[str, ...] = (),
    redactor: Redactor | None = None,
) -> dict[str, Any]:
    """The outbox payload of a bug report: title and Markdown description, all text redacted."""

    def clean(text: str) -> str:
        return redact(text, redactor)

    lines = [f"**Account:** {clean(account_name)} ({clean(tier)})"]
    if thread_url:
        lines.append(f"**Slack thread:** {clean(thread_url)}")
    lines += ["", "## Summary", clean(summary).strip() or "_none_"]
    if steps:
        lines += ["", "## Steps to reproduce"]
        lines += [f"{n}. {clean(step).strip()}" for n, step in enumerate(steps, start=1)]
    if stack_trace and stack_trace.strip():
        trace = clean(stack_trace).strip("\n").replace("```", "`\u200b``")
        lines += ["", "## Stack trace", "```", trace, "```"]
    payload: dict[str, Any] = {
        "title": clean(title).strip()[:TITLE_LIMIT] or "Bug report",
        "description": "\n".join(lines) + "\n",
    }
    if label_ids:
        payload["labelIds"] = list(label_ids)
    return payload


def _retry_after(headers: Message) -> float | None:
    value = headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class LinearSender:
    """Creates one Linear issue per outbox payload (``title``, ``description``, ``labelIds``)."""

    def __init__(
        self,
        *,
        api_key: str,
        team_id: str,
        api_url: str,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        redactor: Redactor | None = None,
    ) -> None:
        if not api_url.startswith(("http://", "https://")):
            raise ValueError("the Linear API URL must be http(s)")
        self._api_key = api_key
        self._team_id = team_id
        self._api_url = api_url
        self._timeout = timeout
        self._redactor = redactor

    @classmethod
    def from_settings(cls, settings: LinearSettings, **kwargs: Any) -> LinearSender:
        if not settings.enabled:
            raise ValueError("Linear is not configured (LINEAR_API_KEY and LINEAR_TEAM_ID)")
        assert settings.linear_api_key is not None and settings.linear_team_id is not None
        return cls(
            api_key=settings.linear_api_key.get_secret_value(),
            team_id=settings.linear_team_id,
            api_url=settings.linear_api_url,
            **kwargs,
        )

    def request_body(self, payload: dict[str, Any]) -> dict[str, Any]:
        issue: dict[str, Any] = {
            "teamId": self._team_id,
            "title": redact(str(payload["title"]), self._redactor),
            "description": redact(str(payload["description"]), self._redactor),
        }
        if payload.get("labelIds"):
            issue["labelIds"] = [str(label) for label in payload["labelIds"]]
        return {"query": ISSUE_CREATE, "variables": {"input": issue}}

    def __call__(self, payload: dict[str, Any], idempotency_key: str) -> Delivered:
        request = urllib.request.Request(  # noqa: S310  (scheme checked in __init__)
            self._api_url,
            data=json.dumps(self.request_body(payload)).encode(),
            method="POST",
            headers={
                "Authorization": self._api_key,
                "Content-Type": "application/json",
                "Idempotency-Key": idempotency_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            with error:
                status = error.code
                if status == 429 or status >= 500:
                    raise RetryableError(
                        f"Linear answered HTTP {status}", retry_after=_retry_after(error.headers)
                    ) from None
                raise PermanentError(
                    f"Linear answered HTTP {status}: {_error_messages(error.read())}"
                ) from None
        except (OSError, http.client.HTTPException) as error:  # timeouts, connection errors
            raise RetryableError(f"Linear unreachable: {error}") from None
        return _parse(raw)


def _error_messages(raw: bytes) -> str:
    try:
        errors = json.loads(raw).get("errors") or []
        return "; ".join(str(e.get("message", e)) for e in errors)[:300] or "no details"
    except (ValueError, AttributeError):
        return "no details"


def _parse(raw: bytes) -> Delivered:
    try:
        body = json.loads(raw)
    except ValueError:
        raise PermanentError("Linear answered with a body that is not JSON") from None
    if not isinstance(body, dict):
        raise PermanentError("Linear answered with an unexpected body")
    if body.get("errors"):
        raise PermanentError(f"GraphQL errors: {_error_messages(raw)}")
    result = (body.get("data") or {}).get("issueCreate") or {}
    issue = result.get("issue") or {}
    if not result.get("success") or not issue.get("id"):
        raise PermanentError("issueCreate did not succeed")
    return Delivered(external_id=str(issue["id"]), external_url=issue.get("url"))
