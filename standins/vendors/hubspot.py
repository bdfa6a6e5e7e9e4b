"""A local HubSpot CRM v3 API, strict about what the documentation requires.

Routes: ``POST /crm/v3/objects/notes`` (``properties.hs_timestamp`` required, as an ISO 8601 time
or epoch milliseconds; ``hs_note_body`` at most 65,536 characters; ``associations`` each with
``to.id`` and ``types`` of ``associationCategory`` + ``associationTypeId``, note→company 190
pointing at an existing company), ``POST /crm/v3/objects/notes/search`` (``CONTAINS_TOKEN`` and
``EQ`` filters), ``GET|PATCH /crm/v3/objects/companies/{id}`` (only defined properties),
``GET /crm/v3/owners/{id}``. Bearer token required; errors have HubSpot's shape
``{"status": "error", "message", "correlationId", "category"}``.
"""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from standins.http_server import HttpReply
from standins.vendors.base import Mode, Recorded, VendorStandin, json_reply

DEFAULT_TOKEN = "pat-na1-standin-0000"  # noqa: S105  (accepted by the stand-in only)
NOTE_TO_COMPANY = 190
NOTE_BODY_LIMIT = 65_536
COMPANY_PROPERTIES = frozenset(
    {"name", "domain", "tier", "arr", "hubspot_owner_id", "churn_risk", "annualrevenue"}
)
CATEGORIES = ("HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED")
_COMPANY = re.compile(r"^/crm/v3/objects/companies/([^/]+)$")
_OWNER = re.compile(r"^/crm/v3/owners/([^/]+)$")


def hubspot_error(status: int, category: str, message: str) -> HttpReply:
    return json_reply(
        status,
        {
            "status": "error",
            "message": message,
            "correlationId": str(uuid.uuid4()),
            "category": category,
        },
    )


@dataclass
class Note:
    id: str
    properties: dict[str, str]
    company_ids: tuple[str, ...]


@dataclass
class Company:
    id: str
    properties: dict[str, str] = field(default_factory=dict)


def _timestamp_ok(value: object) -> bool:
    if not isinstance(value, str | int) or isinstance(value, bool):
        return False
    text = str(value)
    if text.isdigit():
        return True
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


class HubSpotStandin(VendorStandin):
    name = "HubSpot"

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        companies: dict[str, dict[str, str]] | None = None,
        owners: dict[str, dict[str, str]] | None = None,
        mode: Mode = "ok",
        hang_seconds: float = 30.0,
    ) -> None:
        super().__init__(token=token, mode=mode, hang_seconds=hang_seconds)
        self.companies = {cid: Company(cid, dict(p)) for cid, p in (companies or {}).items()}
        self.owners = dict(owners or {})
        self._notes: list[Note] = []
        self._ids = itertools.count(50_000_000_001)

    @property
    def notes(self) -> list[Note]:
        with self.lock:
            return list(self._notes)

    def unauthorized(self) -> HttpReply:
        return hubspot_error(
            401,
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found. This API supports OAuth 2.0 authentication",
        )

    def server_error(self) -> HttpReply:
        return hubspot_error(500, "INTERNAL_ERROR", "internal error")

    def route(self, request: Recorded) -> HttpReply:
        verb, path = request.verb, request.path
        if verb == "POST" and path == "/crm/v3/objects/notes":
            return self._create_note(request.body)
        if verb == "POST" and path == "/crm/v3/objects/notes/search":
            return self._search_notes(request.body)
        if company := _COMPANY.match(path):
            if verb == "PATCH":
                return self._update_company(company[1], request.body)
            if verb == "GET":
                return self._read_company(company[1], request.query)
        if (owner := _OWNER.match(path)) and verb == "GET":
            found = self.owners.get(owner[1])
            if found is None:
                return hubspot_error(404, "OBJECT_NOT_FOUND", "resource not found")
            return json_reply(200, {"id": owner[1], **found})
        return hubspot_error(404, "OBJECT_NOT_FOUND", f"no route {verb} {path}")

    def _create_note(self, body: Any) -> HttpReply:
        problems = self._note_problems(body)
        if problems:
            return hubspot_error(400, "VALIDATION_ERROR", "; ".join(problems))
        properties = {k: str(v) for k, v in body["properties"].items()}
        companies = tuple(
            str(a["to"]["id"])
            for a in body.get("associations") or []
            if any(t["associationTypeId"] == NOTE_TO_COMPANY for t in a["types"])
        )
        with self.lock:
            note = Note(str(next(self._ids)), properties, companies)
            self._notes.append(note)
        now = datetime.now().astimezone().isoformat()
        return json_reply(
            201,
            {
                "id": note.id,
                "properties": properties,
                "createdAt": now,
                "updatedAt": now,
                "archived": False,
            },
        )

    def _note_problems(self, body: Any) -> list[str]:
        if not isinstance(body, dict) or not isinstance(body.get("properties"), dict):
            return ["Request body must be an object with `properties`"]
        properties = body["properties"]
        problems = []
        if not _timestamp_ok(properties.get("hs_timestamp")):
            problems.append("Property hs_timestamp is required (ISO 8601 or epoch milliseconds)")
        text = properties.get("hs_note_body")
        if text is not None and (not isinstance(text, str) or len(text) > NOTE_BODY_LIMIT):
            problems.append("hs_note_body must be a string of at most 65536 characters")
        associations = body.get("associations", [])
        if not isinstance(associations, list):
            return [*problems, "associations must be a list"]
        for index, association in enumerate(associations):
            to = association.get("to") if isinstance(association, dict) else None
            types = association.get("types") if isinstance(association, dict) else None
            if not isinstance(to, dict) or not isinstance(to.get("id"), str | int):
                problems.append(f"associations[{index}].to.id is required")
                continue
            if not isinstance(types, list) or not types:
                problems.append(f"associations[{index}].types is required")
                continue
            for kind in types:
                if not isinstance(kind, dict) or kind.get("associationCategory") not in CATEGORIES:
                    problems.append(f"associations[{index}]: invalid associationCategory")
                elif not isinstance(kind.get("associationTypeId"), int):
                    problems.append(f"associations[{index}]: associationTypeId must be an integer")
                elif (
                    kind["associationTypeId"] == NOTE_TO_COMPANY
                    and str(to["id"]) not in self.companies
                ):
                    problems.append(f"associations[{index}]: company {to['id']} does not exist")
        return problems

    def _search_notes(self, body: Any) -> HttpReply:
        groups = body.get("filterGroups") if isinstance(body, dict) else None
        if not isinstance(groups, list):
            return hubspot_error(400, "VALIDATION_ERROR", "filterGroups must be a list")
        with self.lock:
            notes = list(self._notes)
        results = [n for n in notes if not groups or any(_matches(n, g) for g in groups)]
        limit = int(body.get("limit") or 10)
        return json_reply(
            200,
            {
                "total": len(results),
                "results": [{"id": n.id, "properties": n.properties} for n in results[:limit]],
            },
        )

    def _update_company(self, company_id: str, body: Any) -> HttpReply:
        company = self.companies.get(company_id)
        if company is None:
            return hubspot_error(404, "OBJECT_NOT_FOUND", "resource not found")
        properties = body.get("properties") if isinstance(body, dict) else None
        if not isinstance(properties, dict) or not properties:
            return hubspot_error(400, "VALIDATION_ERROR", "properties must be a non-empty object")
        unknown = sorted(set(properties) - COMPANY_PROPERTIES)
        if unknown:
            return hubspot_error(
                400, "VALIDATION_ERROR", f"Property values were not valid: {unknown} do not exist"
            )
        with self.lock:
            company.properties.update({k: str(v) for k, v in properties.items()})
        return json_reply(200, {"id": company_id, "properties": dict(company.properties)})

    def _read_company(self, company_id: str, query: str) -> HttpReply:
        company = self.companies.get(company_id)
        if company is None:
            return hubspot_error(404, "OBJECT_NOT_FOUND", "resource not found")
        wanted = [p for v in parse_qs(query).get("properties", []) for p in v.split(",") if p]
        with self.lock:
            properties = {p: company.properties.get(p) for p in wanted}
        return json_reply(200, {"id": company_id, "properties": properties, "archived": False})


def _matches(note: Note, group: Any) -> bool:
    filters = group.get("filters") if isinstance(group, dict) else None
    if not isinstance(filters, list):
        return False
    for spec in filters:
        value = str(note.properties.get(str(spec.get("propertyName")), ""))
        wanted = str(spec.get("value", ""))
        if spec.get("operator") == "CONTAINS_TOKEN":
            if wanted.lower() not in re.split(r"[^a-z0-9]+", value.lower()):
                return False
        elif spec.get("operator") == "EQ":
            if value != wanted:
                return False
        else:
            return False
    return True
