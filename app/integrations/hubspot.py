"""HubSpot: a churn or expansion signal becomes a note on the company's timeline (CRM v3
``POST /crm/v3/objects/notes`` associated to the company, type 190 note→company), and a churn
signal also sets the company's ``churn_risk`` property (``PATCH /crm/v3/objects/companies/{id}``).

Idempotency: HubSpot has no idempotency header, so each note carries a marker derived from the
outbox key, and the sender searches notes for it (``POST /crm/v3/objects/notes/search``,
``CONTAINS_TOKEN`` on ``hs_note_body``) before creating one. A retry after a crash between the
create and the outbox's record finds the earlier note instead of writing a second. The property
update is idempotent by nature and is sent first, so an unknown company dead-letters the signal
before any note is written.
"""

from __future__ import annotations

import html
from typing import Any

from app.delivery.outcomes import Delivered, PermanentError
from app.integrations.crm_payloads import idempotency_marker, signal_lines, signal_title
from app.integrations.crm_settings import CrmSettings
from app.integrations.http_json import JsonApi, check_base_url
from app.redaction import Redactor

NOTE_TO_COMPANY = 190  # HubSpot-defined association type: note → company
CHURN_PROPERTY = "churn_risk"
CHURN_VALUE = "high"
KIND = "hubspot.signal"
DEFAULT_TIMEOUT_SECONDS = 10.0


def hubspot_error(body: Any) -> str:
    """HubSpot's error shape: ``{"status": "error", "message": ..., "category": ...}``."""
    return f"{body.get('category', 'error')}: {body.get('message', '')}"


class HubSpotSender:
    """Delivers ``hubspot.signal`` outbox rows (payload from app/crm/recording.py)."""

    def __init__(
        self,
        *,
        token: str,
        api_url: str,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        redactor: Redactor | None = None,
    ) -> None:
        base = check_base_url(api_url, name="HUBSPOT_API_URL")
        self._api = JsonApi("HubSpot", base, token, timeout, hubspot_error)
        self._redactor = redactor

    @classmethod
    def from_settings(cls, settings: CrmSettings, **kwargs: Any) -> HubSpotSender:
        if not settings.enabled:
            raise ValueError(f"HubSpot is not configured: {settings.problem or 'no token'}")
        assert settings.token is not None and settings.base_url is not None
        return cls(token=settings.token, api_url=settings.base_url, **kwargs)

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        return self._api.call(method, path, body)

    def note_body(self, payload: dict[str, Any], marker: str) -> str:
        """The note as the HTML HubSpot shows on the timeline (every line escaped)."""
        lines = [f"<strong>{html.escape(signal_title(payload, self._redactor))}</strong>"]
        lines += [html.escape(line) for line in signal_lines(payload, self._redactor)]
        lines.append(f"Ref: {marker}")
        return "".join(f"<p>{line}</p>" for line in lines)

    def note_request(self, payload: dict[str, Any], marker: str) -> dict[str, Any]:
        return {
            "properties": {
                "hs_timestamp": str(payload["detected_at"]),
                "hs_note_body": self.note_body(payload, marker),
            },
            "associations": [
                {
                    "to": {"id": str(payload["company_id"])},
                    "types": [
                        {
                            "associationCategory": "HUBSPOT_DEFINED",
                            "associationTypeId": NOTE_TO_COMPANY,
                        }
                    ],
                }
            ],
        }

    def find_note(self, marker: str) -> str | None:
        search = {
            "filterGroups": [
                {
                    "filters": [
                        {
                            "propertyName": "hs_note_body",
                            "operator": "CONTAINS_TOKEN",
                            "value": marker,
                        }
                    ]
                }
            ],
            "properties": ["hs_note_body"],
            "limit": 1,
        }
        found = self._call("POST", "/crm/v3/objects/notes/search", search) or {}
        results = found.get("results") or []
        return str(results[0]["id"]) if results else None

    def __call__(self, payload: dict[str, Any], idempotency_key: str) -> Delivered:
        company = str(payload["company_id"])
        if payload["signal"] == "churn":
            self._call(
                "PATCH",
                f"/crm/v3/objects/companies/{company}",
                {"properties": {CHURN_PROPERTY: CHURN_VALUE}},
            )
        marker = idempotency_marker(idempotency_key)
        note_id = self.find_note(marker)
        if note_id is None:
            created = self._call(
                "POST", "/crm/v3/objects/notes", self.note_request(payload, marker)
            )
            if not isinstance(created, dict) or not created.get("id"):
                raise PermanentError("HubSpot created no note id")
            note_id = str(created["id"])
        return Delivered(external_id=note_id)
