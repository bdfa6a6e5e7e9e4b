"""Customer notices on a database: queued once per channel of the affected tiers, posted once
(even by two passes), refusals kept apart from retries, the leads told once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.config_file import parse_config
from app.db.accounts import sync_accounts
from app.db.engine import session_scope
from app.db.models import SurgeNotice, utcnow
from app.surge.notices import NoticeRefusedError, request_notices, send_notices
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
    def __init__(self, refuse: dict[str, tuple[str, bool]] | None = None) -> None:
        self.posted: list[tuple[str, str]] = []
        self.refuse = dict(refuse or {})

    def post_notice(self, *, channel: str, text: str) -> str:
        if channel in self.refuse:
            error, permanent = self.refuse[channel]
            raise NoticeRefusedError(error, permanent=permanent)
        self.posted.append((channel, text))
        return f"{len(self.posted)}.000"


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


def _request(engine: Engine, surge_id: int | None = None) -> str:
    with session_scope(engine) as session:
        return request_notices(
            team_id="single",
            session=session,
            config=CONFIG,
            requested_by="U0LEAD1",
            now=NOW,
            surge_id=surge_id,
        ).message


def _notices(engine: Engine) -> list[SurgeNotice]:
    with Session(engine) as session:
        return list(session.exec(select(SurgeNotice).order_by(SurgeNotice.id)))  # type: ignore[arg-type]


def test_every_affected_channel_hears_the_notice_once(engine: Engine) -> None:
    assert _request(engine) == "No surge playbook is running."
    surge_id = _start(engine)
    assert "to 3 customer channels" in _request(engine, surge_id)
    assert "already has the notice" in _request(engine)
    assert "has ended" in _request(engine, surge_id + 1)
    poster = RecordedPoster()
    first = send_notices(team_id="single", engine=engine, config=CONFIG, poster=poster, now=NOW)
    again = send_notices(team_id="single", engine=engine, config=CONFIG, poster=poster, now=NOW)
    assert (first.sent, again.sent) == (3, 0)
    assert sorted(c for c, _ in poster.posted) == ["C0ACME", "C0GLOBEX", "C0INITECH"]
    text = poster.posted[0][1]
    assert "https://status.example.com" in text and "Sync is delayed" in text
    assert first.report == f"Surge #{surge_id} customer notice: posted in 3 of 3 channels."
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
    assert sorted(n.channel_id for n in _notices(engine)) == ["C0ACME", "C0GLOBEX"]


def test_a_playbook_without_a_notice_posts_nothing(engine: Engine) -> None:
    _start(engine, "release")
    assert _request(engine) == "The release playbook has no customer notice."
    assert _notices(engine) == []


def test_refusals_fail_for_good_and_hiccups_are_retried(engine: Engine) -> None:
    surge_id = _start(engine)
    _request(engine)
    poster = RecordedPoster(
        {"C0GLOBEX": ("not_in_channel", True), "C0INITECH": ("ratelimited", False)}
    )
    run = send_notices(team_id="single", engine=engine, config=CONFIG, poster=poster, now=NOW)
    assert run.sent == 1 and run.report is None  # Initech is still to do
    statuses = {n.channel_id: (n.status, n.error) for n in _notices(engine)}
    assert statuses == {
        "C0ACME": ("sent", None),
        "C0GLOBEX": ("failed", "not_in_channel"),
        "C0INITECH": ("pending", "ratelimited"),
    }
    poster.refuse.pop("C0INITECH")
    run = send_notices(team_id="single", engine=engine, config=CONFIG, poster=poster, now=NOW)
    assert run.sent == 1
    assert run.report == (
        f"Surge #{surge_id} customer notice: posted in 2 of 3 channels. "
        "Not posted: <#C0GLOBEX> (not_in_channel)."
    )


def test_a_pass_that_died_mid_post_is_picked_up_later_and_ended_surges_post_nothing(
    engine: Engine,
) -> None:
    _start(engine)
    _request(engine)
    with session_scope(engine) as session:
        stuck = session.exec(select(SurgeNotice)).first()
        assert stuck is not None
        stuck.status, stuck.claimed_at = "posting", NOW
        session.add(stuck)
    poster = RecordedPoster()
    assert (
        send_notices(team_id="single", engine=engine, config=CONFIG, poster=poster, now=NOW).sent
        == 2
    )
    later = NOW + timedelta(minutes=6)
    assert (
        send_notices(team_id="single", engine=engine, config=CONFIG, poster=poster, now=later).sent
        == 1
    )
    with session_scope(engine) as session:
        stop_surge(team_id="single", session=session, stopped_by="U0LEAD1", now=later)
    assert (
        send_notices(team_id="single", engine=engine, config=CONFIG, poster=poster, now=later).sent
        == 0
    )
