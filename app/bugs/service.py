"""Filing a bug report from an escalation: one issue per error fingerprint in each workspace
(in that workspace's tracker team or project), a comment (and a higher affected-accounts count)
when another of its accounts hits the same error, nothing new when the same account reports it
again, and an alert when one error spreads to several accounts.

Everything happens in the caller's transaction: the ``bug_reports`` rows and the outbox events
are committed together, or not at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.bugs.errors import ErrorReport, detect_errors
from app.config_file import EscalationConfig
from app.db.bug_report_tables import BugReport, BugReportAccount
from app.db.conversations import messages_of
from app.db.engine import insert_or_ignore
from app.db.models import Account, Escalation, TriageDecision
from app.delivery.outbox import enqueue
from app.integrations import jira, linear
from app.integrations.alerts import BUG_FINGERPRINT, alert_payload, enqueue_alert
from app.integrations.report_content import ReportContent
from app.integrations.trackers import Trackers
from app.redaction import redact

CREATE_KINDS = {"linear": linear.KIND, "jira": jira.KIND}
COMMENT_KINDS = {"linear": linear.COMMENT_KIND, "jira": jira.COMMENT_KIND}
TITLE_LIMIT = 120

_STEP = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s+(?P<step>\S.*)$", re.M)
_EXPECTED = re.compile(
    r"^\s*expected(?: result| behaviou?r)?\s*[:\-]\s*(?P<text>\S.*)$", re.I | re.M
)
_ACTUAL = re.compile(
    r"^\s*(?:actual(?: result| behaviou?r)?|instead)\s*[:\-]\s*(?P<text>\S.*)$", re.I | re.M
)


@dataclass(frozen=True)
class Filed:
    """What filing did: ``created`` an issue, ``commented`` on one, or nothing (``already``)."""

    outcome: str  # created | commented | already
    bug_report_id: int
    affected_accounts: int
    alerted: bool = False

    @property
    def notice(self) -> str:
        if self.outcome == "created":
            return "Bug report queued: I'll post the issue link here once the tracker has it."
        if self.outcome == "commented":
            return (
                "This error was already reported by another account: I'm adding this account "
                f"to the existing issue ({self.affected_accounts} accounts affected)."
            )
        return "This account's report of this error is already filed."


@dataclass(frozen=True)
class ReportText:
    """The parts of a report taken from the conversation."""

    title: str
    summary: str
    steps: tuple[str, ...]
    expected: str | None
    actual: str | None
    error: ErrorReport | None


def customer_texts(session: Session, conversation_id: int) -> list[str]:
    return [
        m.text
        for m in messages_of(session=session, conversation_id=conversation_id)
        if m.author == "customer"
    ]


def report_text(*, texts: list[str], summary: str, note: str = "") -> ReportText:
    """Title, steps, expected and actual behaviour, and the error, from the customer's words."""
    joined = "\n".join([*texts, note])
    error = detect_errors(texts)
    expected = _EXPECTED.search(joined)
    actual = _ACTUAL.search(joined)
    first_line = (summary.strip().splitlines() or ["Bug report"])[0]
    title = error.headline if error else first_line
    return ReportText(
        title=title[:TITLE_LIMIT],
        summary=summary.strip() + (f"\n\nAgent's note: {note.strip()}" if note.strip() else ""),
        steps=tuple(m["step"].strip() for m in _STEP.finditer(joined))[:20],
        expected=expected["text"].strip() if expected else None,
        actual=actual["text"].strip() if actual else (error.headline if error else None),
        error=error,
    )


def _insert_ignore(
    session: Session, model: type[BugReport | BugReportAccount], **values: object
) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when the row was inserted."""
    statement = insert_or_ignore(session, model).values(**values).returning(col(model.id))
    return session.execute(statement).first() is not None


def create_key(bug_report_id: int, tracker: str) -> str:
    return f"bug:{bug_report_id}:{tracker}"


def comment_key(bug_report_id: int, tracker: str, account_id: int) -> str:
    return f"bug:{bug_report_id}:{tracker}:account:{account_id}"


def row_keys(bug: BugReport, row: BugReportAccount) -> list[str]:
    """The outbox keys whose delivery makes this account's report visible in the trackers."""
    assert bug.id is not None
    trackers = [t for t in bug.trackers.split(",") if t]
    if row.escalation_id == bug.escalation_id:
        return [create_key(bug.id, t) for t in trackers]
    return [comment_key(bug.id, t, row.account_id) for t in trackers]


def file_bug_report(
    *,
    session: Session,
    config: EscalationConfig,
    trackers: Trackers,
    escalation_id: int,
    user_id: str,
    source: str,
    thread_url: str | None,
    now: datetime,
    note: str = "",
) -> Filed:
    """File (or join) the bug report of an escalation's workspace, in the caller's transaction;
    its issue goes to that workspace's tracker team or project."""
    if not trackers.enabled:
        raise ValueError("no bug tracker is configured")
    escalation = session.get(Escalation, escalation_id)
    assert escalation is not None and escalation.id is not None
    config = config.for_team(escalation.team_id)
    account = session.get(Account, escalation.account_id)
    assert account is not None and account.id is not None
    decision = (
        session.get(TriageDecision, escalation.decision_id) if escalation.decision_id else None
    )
    text = report_text(
        texts=customer_texts(session, escalation.conversation_id),
        summary=decision.summary if decision and decision.summary else "",
        note=note,
    )
    fingerprint = text.error.fingerprint if text.error else f"escalation-{escalation.id}"
    created = _insert_ignore(
        session,
        BugReport,
        team_id=escalation.team_id,
        fingerprint=fingerprint,
        title=redact(text.title),
        headline=redact(text.error.headline) if text.error else None,
        trackers=",".join(trackers.names),
        affected_accounts=1,
        escalation_id=escalation.id,
        created_at=now,
    )
    bug = session.exec(
        select(BugReport).where(
            col(BugReport.team_id) == escalation.team_id,
            col(BugReport.fingerprint) == fingerprint,
        )
    ).one()
    assert bug.id is not None
    joined = _insert_ignore(
        session,
        BugReportAccount,
        bug_report_id=bug.id,
        account_id=account.id,
        escalation_id=escalation.id,
        reported_by=user_id,
        source=source,
        note=note or None,
        created_at=now,
    )
    if not joined:
        return Filed("already", bug.id, bug.affected_accounts)
    if created:
        _enqueue_issue(session, config, bug, text, account, thread_url, now)
        outcome = "created"
    else:
        session.execute(
            update(BugReport)
            .where(col(BugReport.id) == bug.id)
            .values(affected_accounts=BugReport.affected_accounts + 1)
        )
        session.refresh(bug)
        _enqueue_comment(session, bug, account, thread_url, now)
        outcome = "commented"
    alerted = _maybe_alert(session, config, bug, now)
    return Filed(outcome, bug.id, bug.affected_accounts, alerted)


def _enqueue_issue(
    session: Session,
    config: EscalationConfig,
    bug: BugReport,
    text: ReportText,
    account: Account,
    thread_url: str | None,
    now: datetime,
) -> None:
    assert bug.id is not None
    trace = text.error.stack_trace if text.error else None
    content = ReportContent(
        title=text.title,
        summary=text.summary,
        steps=text.steps,
        expected=text.expected,
        actual=text.actual,
        stack_trace=trace,
        account_name=account.name,
        tier=account.tier,
        thread_url=thread_url,
    )
    for tracker in bug.trackers.split(","):
        if tracker == "linear":
            settings = config.bug_reports.linear
            payload = linear.bug_report_payload(content, label_ids=settings.label_ids)
            if settings.team_id:
                payload["teamId"] = settings.team_id
        else:
            settings_jira = config.bug_reports.jira
            payload = jira.bug_report_payload(
                content,
                labels=settings_jira.labels,
                issue_type=settings_jira.issue_type,
                project_key=settings_jira.project_key,
            )
        enqueue(
            session=session,
            kind=CREATE_KINDS[tracker],
            idempotency_key=create_key(bug.id, tracker),
            payload=payload,
            now=now,
        )


def _enqueue_comment(
    session: Session, bug: BugReport, account: Account, thread_url: str | None, now: datetime
) -> None:
    assert bug.id is not None and account.id is not None
    body = (
        f"Also reported by {account.name} ({account.tier}). "
        f"Affected accounts: {bug.affected_accounts}."
    )
    if thread_url:
        body += f"\nSlack thread: {thread_url}"
    for tracker in bug.trackers.split(","):
        module = linear if tracker == "linear" else jira
        enqueue(
            session=session,
            kind=COMMENT_KINDS[tracker],
            idempotency_key=comment_key(bug.id, tracker, account.id),
            payload=module.comment_payload(body=body),
            now=now,
            after_key=create_key(bug.id, tracker),
        )


def _maybe_alert(session: Session, config: EscalationConfig, bug: BugReport, now: datetime) -> bool:
    """Alert the team channel of the report's workspace once when the error reached enough of
    its accounts within the window."""
    channel = config.alerts.bug_fingerprint
    if channel is None or bug.alerted_at is not None:
        return False
    window = timedelta(minutes=config.bug_reports.alert_window_minutes)
    recent = session.exec(
        select(func.count())
        .select_from(BugReportAccount)
        .where(
            col(BugReportAccount.bug_report_id) == bug.id,
            col(BugReportAccount.created_at) >= now - window,
        )
    ).one()
    if recent < config.bug_reports.alert_accounts:
        return False
    claimed = session.execute(
        update(BugReport)
        .where(col(BugReport.id) == bug.id, col(BugReport.alerted_at).is_(None))
        .values(alerted_at=now)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return False
    minutes = config.bug_reports.alert_window_minutes
    enqueue_alert(
        session=session,
        key=f"alert:bug_fingerprint:{bug.id}",
        payload=alert_payload(
            event=BUG_FINGERPRINT,
            team_id=bug.team_id,
            channel=channel,
            title=f"The same error was reported by {recent} accounts within {minutes} minutes",
            fields=[("Accounts", str(recent)), ("Trackers", bug.trackers.replace(",", ", "))],
            quote=redact(bug.headline or bug.title),
        ),
        now=now,
    )
    return True
