"""Salesforce: a churn or expansion signal becomes a Task on the Account (REST API
``POST {instance}/services/data/v60.0/sobjects/Task`` with ``WhatId`` = the Account id).

Idempotency: a Task cannot carry an external-id field in every org, so the Subject ends with a
marker derived from the outbox key, and the sender queries for it first
(``SELECT Id FROM Task WHERE WhatId = '…' AND Subject LIKE '%marker%'``). A retry after a crash
between the create and the outbox's record finds the earlier Task instead of writing a second.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from app.delivery.outcomes import Delivered, PermanentError
from app.integrations.crm_payloads import idempotency_marker, signal_lines, signal_title
from app.integrations.crm_settings import CrmSettings
from app.integrations.http_json import JsonApi, check_base_url
from app.redaction import Redactor

API_VERSION = "v60.0"
SUBJECT_LIMIT = 255
KIND = "salesforce.signal"
DEFAULT_TIMEOUT_SECONDS = 10.0
TASK_BY_MARKER = "SELECT Id FROM Task WHERE WhatId = '{account_id}' AND Subject LIKE '%{marker}%'"
_ID = re.compile(r"^[A-Za-z0-9]{15,18}$")


def salesforce_error(body: Any) -> str:
    """Salesforce's error shape: ``[{"message": ..., "errorCode": ..., "fields": [...]}]``."""
    return "; ".join(f"{e.get('errorCode', 'ERROR')}: {e.get('message', '')}" for e in body)


class SalesforceSender:
    """Delivers ``salesforce.signal`` outbox rows (payload from app/crm/recording.py)."""

    def __init__(
        self,
        *,
        token: str,
        instance_url: str,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        redactor: Redactor | None = None,
    ) -> None:
        self._base = check_base_url(instance_url, name="SALESFORCE_INSTANCE_URL")
        self._api = JsonApi(
            "Salesforce",
            f"{self._base}/services/data/{API_VERSION}",
            token,
            timeout,
            salesforce_error,
        )
        self._redactor = redactor

    @classmethod
    def from_settings(cls, settings: CrmSettings, **kwargs: Any) -> SalesforceSender:
        if not settings.enabled:
            raise ValueError(f"Salesforce is not configured: {settings.problem or 'no token'}")
        assert settings.token is not None and settings.base_url is not None
        return cls(token=settings.token, instance_url=settings.base_url, **kwargs)

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        return self._api.call(method, path, body)

    def task_request(self, payload: dict[str, Any], marker: str) -> dict[str, Any]:
        suffix = f" [{marker}]"
        subject = signal_title(payload, self._redactor)[: SUBJECT_LIMIT - len(suffix)] + suffix
        return {
            "WhatId": str(payload["account_id"]),
            "Subject": subject,
            "Description": "\n".join(signal_lines(payload, self._redactor)),
            "Status": "Not Started",
            "Priority": "High" if payload["signal"] == "churn" else "Normal",
        }

    def find_task(self, account_id: str, marker: str) -> str | None:
        # both values are letters and digits only (a checked id, a hex marker)
        soql = TASK_BY_MARKER.format(account_id=account_id, marker=marker)
        found = self._call("GET", "/query?q=" + urllib.parse.quote(soql)) or {}
        records = found.get("records") or []
        return str(records[0]["Id"]) if records else None

    def __call__(self, payload: dict[str, Any], idempotency_key: str) -> Delivered:
        account_id = str(payload["account_id"])
        if not _ID.match(account_id):  # it goes into a query: letters and digits only
            raise PermanentError(f"not a Salesforce id: {account_id[:20]!r}")
        marker = idempotency_marker(idempotency_key)
        task_id = self.find_task(account_id, marker)
        if task_id is None:
            created = self._call("POST", "/sobjects/Task", self.task_request(payload, marker))
            if not isinstance(created, dict) or not created.get("id"):
                raise PermanentError("Salesforce created no Task id")
            task_id = str(created["id"])
        return Delivered(external_id=task_id, external_url=f"{self._base}/{task_id}")
