"""The error a stand-in method raises to answer like Slack does."""

from __future__ import annotations

from typing import Any


class SlackMethodError(Exception):
    """Answer ``{"ok": false, "error": error, **extra}`` with the given HTTP status."""

    def __init__(
        self,
        error: str,
        *,
        status: int = 200,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The JSON body Slack would send."""
        return {"ok": False, "error": self.error, **self.extra}


def invalid_arguments(*messages: str) -> SlackMethodError:
    """Slack's ``invalid_arguments`` with its ``response_metadata.messages``."""
    return SlackMethodError(
        "invalid_arguments",
        extra={"response_metadata": {"messages": [f"[ERROR] {m}" for m in messages]}},
    )
