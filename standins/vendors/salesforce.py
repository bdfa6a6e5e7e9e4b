"""A local Salesforce REST API (v60.0), strict about what the documentation requires.

Routes: ``POST /services/data/v60.0/sobjects/Task`` (known Task fields only; ``WhatId`` must be
an existing Account; ``Subject`` at most 255 characters; ``Status`` and ``Priority`` from their
picklists) answering ``{"id", "success", "errors"}``, and ``GET /services/data/v60.0/query?q=``
for the two SOQL shapes the bot sends (Tasks of an Account by Subject, one Account's fields).
Bearer token required; errors have Salesforce's shape ``[{"message", "errorCode", "fields"}]``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from standins.http_server import HttpReply
from standins.vendors.base import Mode, Recorded, VendorStandin, json_reply

DEFAULT_TOKEN = "00Dstandin!AQ0standin0token"  # noqa: S105  (accepted by the stand-in only)
PREFIX = "/services/data/v60.0"
TASK_FIELDS = frozenset(
    {"WhatId", "WhoId", "Subject", "Description", "Status", "Priority", "ActivityDate", "OwnerId"}
)
STATUSES = ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred")
PRIORITIES = ("High", "Normal", "Low")
SUBJECT_LIMIT = 255
_TASK_QUERY = re.compile(
    r"^SELECT Id FROM Task WHERE WhatId = '([A-Za-z0-9]{15,18})'"
    r" AND Subject LIKE '%([A-Za-z0-9]+)%'$"
)
_ACCOUNT_QUERY = re.compile(
    r"^SELECT ((?:[A-Za-z_.]+)(?:, [A-Za-z_.]+)*) FROM Account WHERE Id = '([A-Za-z0-9]{15,18})'$"
)


def salesforce_error(
    status: int, code: str, message: str, fields: list[str] | None = None
) -> HttpReply:
    return json_reply(status, [{"message": message, "errorCode": code, "fields": fields or []}])


@dataclass
class Task:
    id: str
    fields: dict[str, str]


class SalesforceStandin(VendorStandin):
    name = "Salesforce"

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        accounts: dict[str, dict[str, Any]] | None = None,
        mode: Mode = "ok",
        hang_seconds: float = 30.0,
    ) -> None:
        super().__init__(token=token, mode=mode, hang_seconds=hang_seconds)
        self.accounts = {aid: dict(fields) for aid, fields in (accounts or {}).items()}
        self._tasks: list[Task] = []
        self._ids = itertools.count(1)

    @property
    def tasks(self) -> list[Task]:
        with self.lock:
            return list(self._tasks)

    def unauthorized(self) -> HttpReply:
        return salesforce_error(401, "INVALID_SESSION_ID", "Session expired or invalid")

    def server_error(self) -> HttpReply:
        return salesforce_error(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred")

    def route(self, request: Recorded) -> HttpReply:
        if request.verb == "POST" and request.path == f"{PREFIX}/sobjects/Task":
            return self._create_task(request.body)
        if request.verb == "GET" and request.path == f"{PREFIX}/query":
            return self._query(" ".join(parse_qs(request.query).get("q", [""])[0].split()))
        return salesforce_error(404, "NOT_FOUND", "The requested resource does not exist")

    def _create_task(self, body: Any) -> HttpReply:
        if not isinstance(body, dict):
            return salesforce_error(400, "JSON_PARSER_ERROR", "The body must be a JSON object")
        unknown = sorted(set(body) - TASK_FIELDS)
        if unknown:
            return salesforce_error(
                400, "INVALID_FIELD", f"No such column '{unknown[0]}' on sobject of type Task"
            )
        what = body.get("WhatId")
        if not isinstance(what, str) or what not in self.accounts:
            return salesforce_error(
                400,
                "INVALID_CROSS_REFERENCE_KEY",
                "invalid cross reference id",
                ["WhatId"],
            )
        subject = body.get("Subject")
        if subject is not None and (not isinstance(subject, str) or len(subject) > SUBJECT_LIMIT):
            return salesforce_error(
                400, "STRING_TOO_LONG", "Subject: data value too large", ["Subject"]
            )
        if body.get("Status", "Not Started") not in STATUSES:
            return salesforce_error(
                400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Status: bad value", ["Status"]
            )
        if body.get("Priority", "Normal") not in PRIORITIES:
            return salesforce_error(
                400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Priority: bad value", ["Priority"]
            )
        with self.lock:
            task = Task(f"00T{next(self._ids):015d}", {k: str(v) for k, v in body.items()})
            self._tasks.append(task)
        return json_reply(201, {"id": task.id, "success": True, "errors": []})

    def _query(self, soql: str) -> HttpReply:
        if found := _TASK_QUERY.match(soql):
            what, marker = found[1], found[2]
            with self.lock:
                records = [
                    {"attributes": {"type": "Task"}, "Id": t.id}
                    for t in self._tasks
                    if t.fields.get("WhatId") == what and marker in t.fields.get("Subject", "")
                ]
            return json_reply(200, {"totalSize": len(records), "done": True, "records": records})
        if found := _ACCOUNT_QUERY.match(soql):
            names, account_id = found[1].split(", "), found[2]
            account = self.accounts.get(account_id)
            if account is None:
                return json_reply(200, {"totalSize": 0, "done": True, "records": []})
            record: dict[str, Any] = {"attributes": {"type": "Account"}}
            for name in names:
                head, _, tail = name.partition(".")
                if tail:
                    record[head] = {tail: (account.get(head) or {}).get(tail)}
                else:
                    record[name] = account.get(name)
            return json_reply(200, {"totalSize": 1, "done": True, "records": [record]})
        return salesforce_error(400, "MALFORMED_QUERY", "unexpected token in the query")
