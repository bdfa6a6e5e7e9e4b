"""One JSON request to a vendor REST API with a Bearer token, its failures sorted for the outbox:
timeouts, connection errors, HTTP 429 and 5xx are retryable; other 4xx are permanent, with the
vendor's own error message (redacted) as the reason."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.delivery.outcomes import PermanentError, RetryableError, retry_after_seconds
from app.redaction import redact

REASON_LIMIT = 300

ErrorReader = Callable[[Any], str]
"""Turns a vendor's parsed error body into a short reason."""


def check_base_url(url: str, *, name: str) -> str:
    """``url`` without a trailing slash; ValueError unless it is http(s)."""
    if not url.startswith(("http://", "https://")) or len(url) <= len("https://"):
        raise ValueError(f"{name} must be an http(s) URL")
    return url.rstrip("/")


def _reason(raw: bytes, read_error: ErrorReader) -> str:
    try:
        text = read_error(json.loads(raw))
    except (ValueError, AttributeError, TypeError, KeyError, IndexError):
        text = ""
    return redact(text)[:REASON_LIMIT] or "no details"


def call_json(
    *,
    method: str,
    url: str,
    token: str | None,
    service: str,
    timeout: float,
    read_error: ErrorReader,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """Send ``body`` as JSON and return the parsed answer (None for an empty body). Without a
    ``token`` the caller's ``headers`` carry the credentials (Linear's key, Jira's basic auth)."""
    request = urllib.request.Request(  # noqa: S310  (callers check the scheme)
        url,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={
            **({"Authorization": f"Bearer {token}"} if token is not None else {}),
            "Accept": "application/json",
            **({"Content-Type": "application/json"} if body is not None else {}),
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as error:
        with error:
            status = error.code
            if status == 429 or status >= 500:
                raise RetryableError(
                    f"{service} answered HTTP {status}",
                    retry_after=retry_after_seconds(error.headers.get("Retry-After")),
                ) from None
            raise PermanentError(
                f"{service} answered HTTP {status}: {_reason(error.read(), read_error)}"
            ) from None
    except (OSError, http.client.HTTPException) as error:  # timeouts, connection errors
        raise RetryableError(f"{service} unreachable: {error}") from None
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise PermanentError(f"{service} answered with a body that is not JSON") from None


@dataclass(frozen=True)
class JsonApi:
    """One vendor's REST API: its base URL, token, time budget and error shape."""

    service: str
    base_url: str
    token: str
    timeout: float
    read_error: ErrorReader

    def call(self, method: str, path: str, body: Any = None) -> Any:
        return call_json(
            method=method,
            url=self.base_url + path,
            token=self.token,
            service=self.service,
            timeout=self.timeout,
            read_error=self.read_error,
            body=body,
        )
