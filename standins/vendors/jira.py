"""A local Jira Cloud REST v3 API: create issue, search by JQL (``labels = "..."``), add and list
comments.

It checks basic auth (``email:api_token``), the documented required fields of
``POST /rest/api/3/issue`` (``fields.project.key`` of a known project, ``fields.summary`` under
255 characters, ``fields.issuetype`` by name or id, ``fields.description`` as Atlassian Document
Format, ``fields.labels`` without spaces) and of a comment (``body`` as ADF), and records every
request. Fault modes: ``"error_500"``, ``"hang"``, ``"bad_request"`` (HTTP 400 with Jira's
``errorMessages``).
"""

from __future__ import annotations

import base64
import itertools
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

from standins.vendors.tracker import Mode, RecordedRequest, TrackerStandin

DEFAULT_EMAIL = "bot@example.com"
DEFAULT_API_TOKEN = "jira-standin-token"  # noqa: S105  (a local stand-in's credential)
DEFAULT_PROJECT = "SUP"
ISSUE_TYPES = ("Bug", "Task", "Story")
BLOCK_NODES = {
    "paragraph",
    "heading",
    "codeBlock",
    "orderedList",
    "bulletList",
    "listItem",
    "blockquote",
    "rule",
}
_ISSUE_PATH = re.compile(r"^/rest/api/3/issue/(?P<key>[^/]+)/comment$")
_LABEL_JQL = re.compile(r'labels\s*=\s*"(?P<label>[^"]+)"')


@dataclass
class JiraIssue:
    id: str
    key: str
    fields: dict[str, Any]
    comments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return list(self.fields.get("labels") or [])


def jira_errors(*messages: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"errorMessages": list(messages), "errors": fields or {}}


def adf_problems(doc: Any, where: str) -> list[str]:
    """What is wrong with an Atlassian Document Format document (empty: nothing)."""
    if not isinstance(doc, dict) or doc.get("type") != "doc" or doc.get("version") != 1:
        return [f"{where}: must be an ADF document (type doc, version 1)"]
    problems: list[str] = []

    def walk(node: Any, parent: str) -> None:
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            problems.append(f"{where}: every node needs a type")
            return
        kind = node["type"]
        if kind == "text":
            if not isinstance(node.get("text"), str) or not node["text"]:
                problems.append(f"{where}: text nodes need non-empty text")
            if parent == "codeBlock" and node.get("marks"):
                problems.append(f"{where}: text in a codeBlock takes no marks")
            return
        if parent == "doc" and kind not in BLOCK_NODES:
            problems.append(f"{where}: {kind} is not a top-level node")
        for child in node.get("content") or []:
            walk(child, kind)

    for child in doc.get("content") or []:
        walk(child, "doc")
    return problems


def issue_problems(body: Any, *, projects: frozenset[str]) -> dict[str, str]:
    """Field errors of a create-issue body, as Jira reports them (field name → message)."""
    fields = body.get("fields") if isinstance(body, dict) else None
    if not isinstance(fields, dict):
        return {"fields": "fields is required"}
    errors: dict[str, str] = {}
    project = fields.get("project")
    if not isinstance(project, dict) or not (project.get("key") or project.get("id")):
        errors["project"] = "Specify a valid project ID or key"
    elif project.get("key") not in projects:
        errors["project"] = f"project {project.get('key')} does not exist"
    summary = fields.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        errors["summary"] = "You must specify a summary of the issue."
    elif len(summary) > 254 or "\n" in summary:
        errors["summary"] = "Summary must be less than 255 characters, on one line."
    issue_type = fields.get("issuetype")
    if not isinstance(issue_type, dict) or issue_type.get("name") not in ISSUE_TYPES:
        errors["issuetype"] = "Specify an issue type"
    if "description" in fields:
        problems = adf_problems(fields["description"], "description")
        if problems:
            errors["description"] = "; ".join(problems)
    labels = fields.get("labels", [])
    if not isinstance(labels, list) or not all(
        isinstance(x, str) and x and not re.search(r"\s", x) and len(x) <= 255 for x in labels
    ):
        errors["labels"] = "labels must be strings without spaces"
    return errors


class JiraStandin(TrackerStandin):
    """A Jira Cloud site on 127.0.0.1 (a free port)."""

    name = "jira-standin"

    def __init__(
        self,
        *,
        email: str = DEFAULT_EMAIL,
        api_token: str = DEFAULT_API_TOKEN,
        projects: tuple[str, ...] = (DEFAULT_PROJECT,),
        mode: Mode = "ok",
        hang_seconds: float = 30.0,
    ) -> None:
        super().__init__(mode=mode, hang_seconds=hang_seconds)
        self.email = email
        self.api_token = api_token
        self.projects = frozenset(projects)
        self._issues: dict[str, JiraIssue] = {}
        self._ids = itertools.count(10001)

    @property
    def issues(self) -> list[JiraIssue]:
        with self.lock:
            return list(self._issues.values())

    def authorized(self, record: RecordedRequest) -> bool:
        header = record.header("Authorization") or ""
        if not header.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(header.removeprefix("Basic "), validate=True).decode()
        except ValueError:
            return False
        return decoded == f"{self.email}:{self.api_token}"

    def error_body(self, *messages: str) -> Any:
        return jira_errors(*messages)

    def answer(self, record: RecordedRequest) -> tuple[int, Any]:
        path, method = record.path, record.method
        if path == "/rest/api/3/issue" and method == "POST":
            return self._create(record.body)
        if path == "/rest/api/3/search/jql" and method == "GET":
            return self._search(record.query)
        match = _ISSUE_PATH.match(path)
        if match and method == "POST":
            return self._comment(unquote(match["key"]), record.body)
        if match and method == "GET":
            return self._comments(unquote(match["key"]), record.query)
        return 404, jira_errors(f"no route {method} {path}")

    def _create(self, body: Any) -> tuple[int, Any]:
        errors = issue_problems(body, projects=self.projects)
        if errors:
            return 400, jira_errors(fields=errors)
        fields = body["fields"]
        with self.lock:
            number = next(self._ids)
            project = fields["project"]["key"]
            key = f"{project}-{number - 10000}"
            self._issues[key] = JiraIssue(id=str(number), key=key, fields=fields)
        return 201, {
            "id": str(number),
            "key": key,
            "self": f"{self.base_url}/rest/api/3/issue/{number}",
        }

    def _search(self, query: str) -> tuple[int, Any]:
        jql = (parse_qs(query).get("jql") or [""])[0]
        if not jql.strip():
            return 400, jira_errors("The JQL query is required.")
        match = _LABEL_JQL.search(jql)
        with self.lock:
            found = [i for i in self._issues.values() if match and match["label"] in i.labels]
        issues = [
            {"id": i.id, "key": i.key, "fields": {"summary": i.fields["summary"]}} for i in found
        ]
        return 200, {"issues": issues, "isLast": True}

    def _comment(self, key: str, body: Any) -> tuple[int, Any]:
        with self.lock:
            issue = self._issues.get(key)
        if issue is None:
            return 404, jira_errors("Issue does not exist or you do not have permission to see it.")
        doc = body.get("body") if isinstance(body, dict) else None
        problems = adf_problems(doc, "body")
        if problems:
            return 400, jira_errors(*problems)
        properties = body.get("properties") or []
        if not isinstance(properties, list) or not all(
            isinstance(p, dict) and isinstance(p.get("key"), str) for p in properties
        ):
            return 400, jira_errors("properties must be a list of {key, value}")
        with self.lock:
            comment = {"id": str(next(self._ids)), "body": doc, "properties": properties}
            issue.comments.append(comment)
        return 201, {"id": comment["id"], "body": doc}

    def _comments(self, key: str, query: str) -> tuple[int, Any]:
        with self.lock:
            issue = self._issues.get(key)
            comments = list(issue.comments) if issue else None
        if comments is None:
            return 404, jira_errors("Issue does not exist or you do not have permission to see it.")
        expand = "properties" in (parse_qs(query).get("expand") or [""])[0]
        shown = [
            {
                "id": c["id"],
                "body": c["body"],
                **({"properties": c["properties"]} if expand else {}),
            }
            for c in reversed(comments)
        ]
        return 200, {"comments": shown, "total": len(shown), "startAt": 0, "maxResults": len(shown)}
