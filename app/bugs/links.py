"""Where an escalation's bug report stands: filed or not, the issue links once the trackers have
them, and the accounts' reports whose links are ready to be announced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.bugs.service import create_key, row_keys
from app.db.bug_report_tables import BugReport, BugReportAccount
from app.db.models import Escalation
from app.db.outbox_table import DELIVERED, OutboxEvent

TRACKER_NAMES = {"linear": "Linear", "jira": "Jira"}


@dataclass(frozen=True)
class IssueLink:
    tracker: str  # "Linear" | "Jira"
    label: str  # e.g. ENG-12, SUP-4
    url: str


@dataclass(frozen=True)
class BugState:
    reported: bool
    links: tuple[IssueLink, ...] = ()
    affected_accounts: int = 0


@dataclass(frozen=True)
class Announcement:
    """An account's report whose issue (or comment) every tracker now has."""

    row_id: int
    escalation_id: int
    links: tuple[IssueLink, ...]
    affected_accounts: int
    first: bool  # this account's report created the issue


def _delivered(session: Session, keys: list[str]) -> dict[str, OutboxEvent]:
    if not keys:
        return {}
    events = session.exec(
        select(OutboxEvent).where(
            col(OutboxEvent.idempotency_key).in_(keys), col(OutboxEvent.status) == DELIVERED
        )
    )
    return {event.idempotency_key: event for event in events}


def issue_links(session: Session, bug: BugReport) -> tuple[IssueLink, ...]:
    """The bug's issues that exist in the trackers, in its trackers' order."""
    assert bug.id is not None
    trackers = [t for t in bug.trackers.split(",") if t]
    events = _delivered(session, [create_key(bug.id, t) for t in trackers])
    links = []
    for tracker in trackers:
        event = events.get(create_key(bug.id, tracker))
        if event is None or not event.external_url:
            continue
        label = event.external_id if tracker == "jira" else event.external_url.rsplit("/", 1)[-1]
        links.append(IssueLink(TRACKER_NAMES[tracker], str(label), event.external_url))
    return tuple(links)


def bug_state(session: Session, escalation_id: int) -> BugState:
    row = session.exec(
        select(BugReportAccount)
        .where(col(BugReportAccount.escalation_id) == escalation_id)
        .order_by(col(BugReportAccount.id))
    ).first()
    if row is None:
        return BugState(reported=False)
    bug = session.get(BugReport, row.bug_report_id)
    assert bug is not None
    return BugState(True, issue_links(session, bug), bug.affected_accounts)


def ready_announcements(
    session: Session, *, team_id: str | None = None, limit: int = 50
) -> list[Announcement]:
    """Reports not announced yet whose outbox events are all delivered (with ``team_id``: of
    that installation's escalations only)."""
    statement = select(BugReportAccount).where(col(BugReportAccount.announced_at).is_(None))
    if team_id is not None:
        statement = statement.join(
            Escalation, col(Escalation.id) == col(BugReportAccount.escalation_id)
        ).where(col(Escalation.team_id) == team_id)
    rows = session.exec(statement.order_by(col(BugReportAccount.id)).limit(limit))
    ready = []
    for row in rows:
        bug = session.get(BugReport, row.bug_report_id)
        assert bug is not None and row.id is not None
        keys = row_keys(bug, row)
        if len(_delivered(session, keys)) < len(keys):
            continue
        first = row.escalation_id == bug.escalation_id
        links = issue_links(session, bug)
        ready.append(Announcement(row.id, row.escalation_id, links, bug.affected_accounts, first))
    return ready


def claim_announcement(session: Session, *, row_id: int, now: datetime) -> bool:
    """Mark it announced (once, whichever worker gets there first)."""
    result = session.execute(
        update(BugReportAccount)
        .where(col(BugReportAccount.id) == row_id, col(BugReportAccount.announced_at).is_(None))
        .values(announced_at=now)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def release_announcement(session: Session, *, row_id: int) -> None:
    """Undo a claim whose message could not be posted (tried again next time)."""
    session.execute(
        update(BugReportAccount).where(col(BugReportAccount.id) == row_id).values(announced_at=None)
    )
