"""A card is posted once even when the web process and the worker's missing-card pass try at
the same moment (the first holds a short lease); a failed post frees the card for a retry."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db.engine import session_scope
from app.db.models import Escalation
from app.escalations.card import HandoffCard
from app.escalations.handoff import post_card
from tests.routing.test_claim_order import CONFIG, _waiting


class SlowDesk:
    """Records card posts; the first one waits until released (a post in its 429 back-off)."""

    def __init__(self) -> None:
        self.posted: list[str] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.fail = False

    def permalink(self, *, channel: str, ts: str) -> str | None:
        return None

    def post_card(self, *, channel: str, card: HandoffCard, key: str | None = None) -> str:
        if self.fail:
            raise RuntimeError("network down")
        self.entered.set()
        self.release.wait(timeout=10)
        self.posted.append(channel)
        return f"{len(self.posted)}.000"

    def update_card(self, *, channel: str, ts: str, card: HandoffCard) -> None:
        raise AssertionError("not expected")

    def post_notice(self, *, channel: str, text: str, key: str | None = None) -> str:
        raise AssertionError("not expected")

    def retire_card(self, *, channel: str, ts: str, text: str) -> None:
        raise AssertionError("not expected")

    def find_sent(self, *, channel: str, key: str, since: datetime) -> str | None:
        raise AssertionError("not expected")


def _without_card(engine: Engine) -> int:
    [escalation_id] = _waiting(engine, [("pro", 3)])
    with session_scope(engine) as session:
        row = session.get(Escalation, escalation_id)
        assert row is not None
        row.card_ts = None
        row.created_at -= timedelta(minutes=5)
        session.add(row)
    return escalation_id


def test_two_posters_at_once_post_one_card(engine: Engine) -> None:
    escalation_id = _without_card(engine)
    desk = SlowDesk()
    first: list[str | None] = []
    web = threading.Thread(
        target=lambda: first.append(
            post_card(engine=engine, config=CONFIG, desk=desk, escalation_id=escalation_id)
        )
    )
    web.start()
    assert desk.entered.wait(timeout=10)
    # The worker's pass while the web process is still posting: it leaves the card alone.
    assert post_card(engine=engine, config=CONFIG, desk=desk, escalation_id=escalation_id) is None
    desk.release.set()
    web.join(timeout=10)
    assert first == ["1.000"] and desk.posted == ["C0TECH"]
    with Session(engine) as session:
        row = session.get(Escalation, escalation_id)
        assert row is not None and row.card_ts == "1.000" and row.card_claimed_at is None


def test_a_failed_post_frees_the_card_for_the_next_try(engine: Engine) -> None:
    escalation_id = _without_card(engine)
    desk = SlowDesk()
    desk.fail = True
    with pytest.raises(RuntimeError):
        post_card(engine=engine, config=CONFIG, desk=desk, escalation_id=escalation_id)
    desk.fail = False
    desk.release.set()
    assert post_card(engine=engine, config=CONFIG, desk=desk, escalation_id=escalation_id)
    assert desk.posted == ["C0TECH"]
