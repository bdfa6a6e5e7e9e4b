"""Customer notices on a database: queued once per channel of the affected tiers as outbox rows,
posted once (even by two passes), refusals kept apart from retries, the leads told once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.config_file import parse_config
from app.db.accounts import sync_accounts
from app.db.engine import session_scope
from app.db.models import utcnow
from app.db.outbox_table import OutboxEvent
from app.delivery.outbox import LEASE, deliver_due
from app.delivery.outcomes import Delivered, PermanentError, RetryableError
from app.surge.notices import (
    KIND,
    NOTICE_GRACE,
    NoticeRequest,
    NoticeSender,
    deliver_requested,
    notice_key,
    report_once,
    request_notices,
)
from app.surge.service import start_surge, stop_surge
from tests.test_config_file import VALID

ACCOUNTS = """
  - name: Globex
    channel: C0GLOBEX
    tier: pro
  - name: Initech
    channel: C0INITECH
    tier: free
"""
CONFIG = parse_config(VALID.replace("accounts:\n", "accounts:" + ACCOUNTS, 1))
NOW = utcnow()


class RecordedPoster:
    """Posts ``payload["text"]`` like the Slack sender; a channel in ``refuse`` raises."""

    def __init__(self, refuse: dict[str, Exception] | None = None) -> None:
        self.posted: list[tuple[str, str]] = []
        self.attempts: list[int] = []
        self.refuse = dict(refuse or {})

    def send_attempt(self, payload: dict[str, Any], key: str, *, attempt: int) -> Delivered:
        self.attempts.append(attempt)
        channel = str(payload["channel"])
        if channel in self.refuse:
            raise self.refuse[channel]
        self.posted.append((channel, str(payload["text"])))
        return Delivered(external_id=f"{len(self.posted)}.000")


def _sender(engine: Engine, poster: RecordedPoster) -> NoticeSender:
    return NoticeSender(engine=engine, config_for=lambda _team: CONFIG, post=poster)


def _sweep(engine: Engine, poster: RecordedPoster, surge_id: int, now: datetime) -> NoticeRun:
    """One pass of the outbox sweep over surge notices, then the leads' outcome (if due)."""
    report = deliver_due(engine=engine, senders={KIND: _sender(engine, poster)}, now=now)
    return NoticeRun(len(report.delivered), report_once(engine=engine, surge_id=surge_id, now=now))


@dataclass(frozen=True)
class NoticeRun:
    sent: int
    report: str | None


def _start(engine: Engine, playbook: str = "outage") -> int:
    with session_scope(engine) as session:
        sync_accounts(session=session, accounts=CONFIG.accounts)
        change = start_surge(
            team_id="single",
            session=session,
            config=CONFIG,
            playbook=playbook,
            source="manual",
            started_by="U0LEAD1",
            status_url="https://status.example.com",
            note="Sync is delayed",
            now=NOW,
        )
    assert change.surge_id is not None
    return change.surge_id


def _request(engine: Engine, surge_id: int | None = None) -> NoticeRequest:
    with session_scope(engine) as session:
        return request_notices(
            team_id="single",
            session=session,
            config=CONFIG,
            requested_by="U0LEAD1",
            now=NOW,
            surge_id=surge_id,
        )


def _notices(engine: Engine) -> list[OutboxEvent]:
    with Session(engine) as session:
        query = select(OutboxEvent).where(OutboxEvent.kind == KIND).order_by(OutboxEvent.id)  # type: ignore[arg-type]
        return list(session.exec(query))


def _channel(row: OutboxEvent) -> str:
    return str(json.loads(row.payload)["channel"])


def test_every_affected_channel_hears_the_notice_once(engine: Engine) -> None:
    assert _request(engine).message == "No surge playbook is running."
    surge_id = _start(engine)
    request = _request(engine, surge_id)
    assert "to 3 customer channels" in request.message
    assert "already has the notice" in _request(engine).message
    assert "has ended" in _request(engine, surge_id + 1).message
    assert sorted(row.idempotency_key for row in _notices(engine)) == [
        notice_key(surge_id, c) for c in ("C0ACME", "C0GLOBEX", "C0INITECH")
    ]
    poster = RecordedPoster()
    # The lead's process posts them at once; the sweep then finds nothing left.
    report = deliver_requested(
        engine=engine, request=request, sender=_sender(engine, poster), now=NOW
    )
    again = _sweep(engine, poster, surge_id, NOW + NOTICE_GRACE)
    assert (len(poster.posted), again.sent) == (3, 0)
    assert sorted(c for c, _ in poster.posted) == ["C0ACME", "C0GLOBEX", "C0INITECH"]
    text = poster.posted[0][1]
    assert "https://status.example.com" in text and "Sync is delayed" in text
    assert report == f"Surge #{surge_id} customer notice: posted in 3 of 3 channels."
    assert again.report is None  # told once


def test_only_the_playbooks_tiers_are_notified(engine: Engine) -> None:
    config = parse_config(
        VALID.replace("accounts:\n", "accounts:" + ACCOUNTS, 1)
        + "\nsurge:\n  playbooks:\n    outage:\n      notice: We know.\n"
        "      notice_tiers: [enterprise, pro]\n"
    )
    _start(engine)
    with session_scope(engine) as session:
        request_notices(
            team_id="single", session=session, config=config, requested_by="U0LEAD1", now=NOW
        )
    assert sorted(_channel(n) for n in _notices(engine)) == ["C0ACME", "C0GLOBEX"]


def test_a_playbook_without_a_notice_posts_nothing(engine: Engine) -> None:
    _start(engine, "release")
    assert _request(engine).message == "The release playbook has no customer notice."
    assert _notices(engine) == []


def test_refusals_fail_for_good_and_hiccups_are_retried(engine: Engine) -> None:
    surge_id = _start(engine)
    _request(engine)
    poster = RecordedPoster(
        {
            "C0GLOBEX": PermanentError("Slack answered not_in_channel for channel C0GLOBEX"),
            "C0INITECH": RetryableError("Slack answered ratelimited", retry_after=30),
        }
    )
    run = _sweep(engine, poster, surge_id, NOW + NOTICE_GRACE)
    assert run.sent == 1 and run.report is None  # Initech is still to do
    statuses = {_channel(n): (n.status, n.last_error) for n in _notices(engine)}
    assert statuses == {
        "C0ACME": ("delivered", None),
        "C0GLOBEX": ("dead", "PermanentError: Slack answered not_in_channel for channel C0GLOBEX"),
        "C0INITECH": ("pending", "RetryableError: Slack answered ratelimited"),
    }
    poster.refuse.pop("C0INITECH")
    assert _sweep(engine, poster, surge_id, NOW + NOTICE_GRACE).sent == 0  # backing off
    run = _sweep(engine, poster, surge_id, NOW + timedelta(hours=2))
    assert run.sent == 1
    assert run.report == (
        f"Surge #{surge_id} customer notice: posted in 2 of 3 channels. "
        "Not posted: <#C0GLOBEX> (Slack answered not_in_channel for channel C0GLOBEX)."
    )


def test_a_pass_that_died_mid_post_is_picked_up_later_and_ended_surges_post_nothing(
    engine: Engine,
) -> None:
    surge_id = _start(engine)
    _request(engine)
    due = NOW + NOTICE_GRACE
    with session_scope(engine) as session:  # a pass claimed one and died
        stuck = session.exec(select(OutboxEvent).where(OutboxEvent.kind == KIND)).first()
        assert stuck is not None
        stuck.status, stuck.attempts, stuck.next_attempt_at = "delivering", 1, due + LEASE
        session.add(stuck)
    poster = RecordedPoster()
    assert _sweep(engine, poster, surge_id, due).sent == 2
    later = due + LEASE + timedelta(minutes=1)
    assert _sweep(engine, poster, surge_id, later).sent == 1
    assert poster.attempts == [1, 1, 2]  # the taken-over one is told it is a later attempt

    with session_scope(engine) as session:
        stop_surge(team_id="single", session=session, stopped_by="U0LEAD1", now=later)
    assert _sweep(engine, poster, surge_id, later).sent == 0


def test_the_notices_of_a_surge_that_ended_before_they_went_out_are_not_posted(
    engine: Engine,
) -> None:
    surge_id = _start(engine)
    _request(engine)
    with session_scope(engine) as session:
        stop_surge(team_id="single", session=session, stopped_by="U0LEAD1", now=NOW)
    poster = RecordedPoster()
    assert _sweep(engine, poster, surge_id, NOW + NOTICE_GRACE).sent == 0
    assert poster.posted == []
    assert {(n.status, n.last_error) for n in _notices(engine)} == {
        ("dead", f"PermanentError: surge #{surge_id} ended before the notice was posted")
    }
