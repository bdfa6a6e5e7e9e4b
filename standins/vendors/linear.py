"""A local Linear GraphQL API: ``POST /graphql`` answering ``issueCreate``, ``commentCreate``,
``issue(id:)`` and ``comment(id:)``.

It checks the ``Authorization`` header (the API key, as Linear takes personal keys), the GraphQL
body shape (``query`` naming the operation, ``variables.input`` with ``teamId``, ``title``,
``description`` strings for an issue, ``issueId`` and ``body`` for a comment, an optional ``id``
that must be a UUID not used before, optional ``labelIds`` list of strings) and records every
request. Fault modes: ``"error_500"`` (HTTP 500), ``"hang"`` (no answer until ``hang_seconds``
pass or the server stops), ``"bad_request"`` (HTTP 400 with GraphQL ``errors``, as Linear answers
a bad input).
"""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass
from typing import Any

from standins.vendors.tracker import MODES, Mode, RecordedRequest, TrackerStandin

__all__ = ["MODES", "CreatedComment", "CreatedIssue", "LinearStandin", "Mode", "RecordedRequest"]

DEFAULT_API_KEY = "lin_api_standinkey0000000000"
DEFAULT_TEAM_ID = "team-standin"
GRAPHQL_PATH = "/graphql"
REQUIRED_ISSUE = ("teamId", "title", "description")
REQUIRED_COMMENT = ("issueId", "body")
_OPERATION = re.compile(r"^\s*(mutation|query)\b[^{]*\{\s*(\w+)\s*\(", re.DOTALL)


@dataclass(frozen=True)
class CreatedIssue:
    id: str
    identifier: str
    url: str
    team_id: str
    title: str
    description: str
    label_ids: tuple[str, ...]


@dataclass(frozen=True)
class CreatedComment:
    id: str
    issue_id: str
    body: str
    url: str


def graphql_errors(*messages: str) -> dict[str, Any]:
    return {"errors": [{"message": m, "extensions": {"code": "INVALID_INPUT"}} for m in messages]}


def _operation(body: Any) -> tuple[str, str] | None:
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return None
    match = _OPERATION.match(body["query"])
    return (match[1], match[2]) if match else None


def input_problems(
    body: Any, *, team_ids: frozenset[str], required: tuple[str, ...] = REQUIRED_ISSUE
) -> list[str]:
    """What is wrong with a create mutation's body (empty: nothing)."""
    variables = body.get("variables") if isinstance(body, dict) else None
    record = variables.get("input") if isinstance(variables, dict) else None
    if not isinstance(record, dict):
        return ["variables.input must be an object"]
    problems = [
        f"input.{name} must be a non-empty string"
        for name in required
        if not isinstance(record.get(name), str) or not record[name]
    ]
    if "id" in record:
        try:
            uuid.UUID(str(record["id"]))
        except ValueError:
            problems.append("input.id must be a UUID")
    labels = record.get("labelIds")
    if labels is not None and (
        not isinstance(labels, list) or not all(isinstance(x, str) for x in labels)
    ):
        problems.append("input.labelIds must be a list of strings")
    if not problems and "teamId" in required and record["teamId"] not in team_ids:
        problems.append(f"team {record['teamId']} not found")
    return problems


class LinearStandin(TrackerStandin):
    """A Linear GraphQL server on 127.0.0.1 (a free port)."""

    name = "linear-standin"

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        team_ids: tuple[str, ...] = (DEFAULT_TEAM_ID,),
        mode: Mode = "ok",
        hang_seconds: float = 30.0,
    ) -> None:
        super().__init__(mode=mode, hang_seconds=hang_seconds)
        self.api_key = api_key
        self.team_ids = frozenset(team_ids)
        self._issues: dict[str, CreatedIssue] = {}
        self._comments: dict[str, CreatedComment] = {}
        self._numbers = itertools.count(1)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT/graphql``, the ``LINEAR_API_URL``."""
        return self.base_url + GRAPHQL_PATH

    @property
    def issues(self) -> list[CreatedIssue]:
        with self.lock:
            return list(self._issues.values())

    @property
    def comments(self) -> list[CreatedComment]:
        with self.lock:
            return list(self._comments.values())

    def authorized(self, record: RecordedRequest) -> bool:
        return record.header("Authorization") == self.api_key

    def error_body(self, *messages: str) -> Any:
        return graphql_errors(*messages)

    def answer(self, record: RecordedRequest) -> tuple[int, Any]:
        if record.method != "POST" or record.path != GRAPHQL_PATH:
            return 404, graphql_errors(f"no route {record.method} {record.path}")
        operation = _operation(record.body)
        if operation == ("mutation", "issueCreate"):
            return self._create_issue(record.body)
        if operation == ("mutation", "commentCreate"):
            return self._create_comment(record.body)
        if operation in (("query", "issue"), ("query", "comment")):
            assert operation is not None
            return self._lookup(operation[1], record.body)
        return 400, graphql_errors(
            "only issueCreate, commentCreate, issue and comment are supported"
        )

    def _create_issue(self, body: Any) -> tuple[int, Any]:
        problems = input_problems(body, team_ids=self.team_ids)
        if problems:
            return 400, graphql_errors(*problems)
        issue = body["variables"]["input"]
        with self.lock:
            issue_id = str(issue.get("id") or uuid.uuid4())
            if issue_id in self._issues:
                return 400, graphql_errors("Entity with this id already exists")
            number = next(self._numbers)
            created = CreatedIssue(
                id=issue_id,
                identifier=f"ENG-{number}",
                url=f"https://linear.app/standin/issue/ENG-{number}",
                team_id=issue["teamId"],
                title=issue["title"],
                description=issue["description"],
                label_ids=tuple(issue.get("labelIds") or ()),
            )
            self._issues[issue_id] = created
        answer = {"id": created.id, "identifier": created.identifier, "url": created.url}
        return 200, {"data": {"issueCreate": {"success": True, "issue": answer}}}

    def _create_comment(self, body: Any) -> tuple[int, Any]:
        problems = input_problems(body, team_ids=self.team_ids, required=REQUIRED_COMMENT)
        if problems:
            return 400, graphql_errors(*problems)
        comment = body["variables"]["input"]
        with self.lock:
            issue = self._issues.get(comment["issueId"]) or next(
                (i for i in self._issues.values() if i.identifier == comment["issueId"]), None
            )
            if issue is None:
                return 400, graphql_errors("Entity not found: Issue")
            comment_id = str(comment.get("id") or uuid.uuid4())
            if comment_id in self._comments:
                return 400, graphql_errors("Entity with this id already exists")
            created = CreatedComment(
                id=comment_id,
                issue_id=issue.id,
                body=comment["body"],
                url=f"{issue.url}#comment-{comment_id[:8]}",
            )
            self._comments[comment_id] = created
        answer = {"id": created.id, "url": created.url}
        return 200, {"data": {"commentCreate": {"success": True, "comment": answer}}}

    def _lookup(self, field: str, body: Any) -> tuple[int, Any]:
        variables = body.get("variables") if isinstance(body, dict) else None
        wanted = variables.get("id") if isinstance(variables, dict) else None
        if not isinstance(wanted, str) or not wanted:
            return 400, graphql_errors("variables.id must be a non-empty string")
        with self.lock:
            if field == "issue":
                issue = self._issues.get(wanted)
                found = (
                    {"id": issue.id, "identifier": issue.identifier, "url": issue.url}
                    if issue
                    else None
                )
            else:
                comment = self._comments.get(wanted)
                found = {"id": comment.id, "url": comment.url} if comment else None
        if found is None:
            return 200, {"data": None, "errors": [{"message": "Entity not found"}]}
        return 200, {"data": {field: found}}
