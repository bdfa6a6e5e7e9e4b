"""One JSON request to a vendor API, with its failures sorted into retryable and permanent."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from email.message import Message
from typing import Any

from app.integrations.delivery import PermanentError, RetryableError

DEFAULT_TIMEOUT_SECONDS = 10.0
DETAIL_LIMIT = 300


def retry_after(headers: Message) -> float | None:
    value = headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def request_json(
    *,
    vendor: str,
    method: str,
    url: str,
    headers: dict[str, str],
    body: Any = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    details: Callable[[bytes], str] = lambda _raw: "no details",
) -> tuple[int, Any]:
    """``(status, parsed body)`` of a 2xx answer. HTTP 429/5xx, timeouts and connection errors
    raise RetryableError; other 4xx raise PermanentError with ``details(body)``; a 2xx answer that
    is not JSON raises PermanentError."""
    if not url.startswith(("http://", "https://")):
        raise PermanentError(f"{vendor}: the URL must be http(s)")
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310  (scheme checked above)
        url,
        data=data,
        method=method,
        headers={"Accept": "application/json", "Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            status = error.code
            if status == 429 or status >= 500:
                raise RetryableError(
                    f"{vendor} answered HTTP {status}", retry_after=retry_after(error.headers)
                ) from None
            raise PermanentError(
                f"{vendor} answered HTTP {status}: {details(error.read())[:DETAIL_LIMIT]}"
            ) from None
    except (OSError, http.client.HTTPException) as error:  # timeouts, connection errors
        raise RetryableError(f"{vendor} unreachable: {error}") from None
    if not raw:
        return status, None
    try:
        return status, json.loads(raw)
    except ValueError:
        raise PermanentError(f"{vendor} answered with a body that is not JSON") from None
