"""The listeners' executor is bounded: when it is full, work is refused without blocking, a stored
event stays `received` and the worker finishes it later; interactive requests are still answered."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.conversations.intake import BotIdentity
from app.db.models import utcnow
from app.slack import bolt_app
from app.slack.bounded_executor import BoundedExecutor, ExecutorFullError
from app.slack.client import build_web_client
from app.worker.event_retry import retry_unfinished_events
from standins import local_slack
from standins.local_slack import LocalSlack
from tests.slack.conftest import Rows
from tests.slack.test_handoff import BILLING, GLOBEX, card_in, escalate, escalations, press
from tests.slack.test_triage_flow import bot_replies

ACME = "C0ACME"


def test_full_executor_refuses_without_running_or_blocking() -> None:
    executor = BoundedExecutor(max_workers=1, max_queue=1)
    gate = threading.Event()
    started = threading.Event()
    ran: list[str] = []

    def busy() -> str:
        started.set()
        gate.wait()
        ran.append("busy")
        return "busy"

    try:
        running = executor.submit(busy)
        started.wait()
        queued = executor.submit(ran.append, "queued")
        refused = executor.submit(ran.append, "refused")
        assert refused.done()
        assert isinstance(refused.exception(), ExecutorFullError)
        assert executor.rejected == 1
        gate.set()
        assert running.result() == "busy"
        queued.result()
        # A slot is free again once the work is done.
        executor.submit(ran.append, "later").result()
    finally:
        gate.set()
        executor.shutdown()
    assert ran == ["busy", "queued", "later"]


def test_a_reserved_slot_is_used_by_the_next_submit_or_given_back() -> None:
    executor = BoundedExecutor(max_workers=1, max_queue=0)
    gate = threading.Event()
    try:
        assert executor.reserve()
        # Another thread finds no slot while this thread holds the reservation.
        seen: list[bool] = []
        other = threading.Thread(target=lambda: seen.append(executor.reserve()))
        other.start()
        other.join()
        assert seen == [False]
        executor.release_reservation()
        assert executor.reserve()
        held = executor.submit(gate.wait)  # uses the reservation
        assert not executor.reserve()
        assert isinstance(executor.submit(print).exception(), ExecutorFullError)
        gate.set()
        assert held.result() is True
        assert executor.reserve()
        executor.release_reservation()
    finally:
        gate.set()
        executor.shutdown()


class Saturated:
    """The app's listener executor, sized 1+0, whose only thread can be held busy."""

    def __init__(self) -> None:
        self.executor: BoundedExecutor | None = None
        self._gate = threading.Event()

    def build(self, **kwargs: str) -> BoundedExecutor:
        self.executor = BoundedExecutor(max_workers=1, max_queue=0, **kwargs)
        return self.executor

    def hold(self) -> None:
        """Occupy the only thread (once what the app is running there has finished)."""
        assert self.executor is not None
        self._gate.clear()
        started = threading.Event()

        def busy() -> None:
            started.set()
            self._gate.wait()

        while not self.executor.reserve():
            time.sleep(0.01)
        self.executor.submit(busy)
        started.wait()

    def free(self) -> None:
        """Let the thread go and wait until its slot is free again."""
        self._gate.set()
        if self.executor is None:
            return
        while not self.executor.reserve():
            time.sleep(0.01)
        self.executor.release_reservation()


@pytest.fixture
def saturated(monkeypatch: pytest.MonkeyPatch) -> Iterator[Saturated]:
    state = Saturated()
    monkeypatch.setattr(bolt_app, "BoundedExecutor", state.build)
    monkeypatch.setattr(local_slack, "BoundedExecutor", state.build)
    yield state
    state.free()


@pytest.fixture
def full_slack(
    saturated: Saturated, database_url: str, example_config_path: Path
) -> Iterator[LocalSlack]:
    with LocalSlack(database_url=database_url, config_path=example_config_path) as local:
        yield local


def test_event_refused_by_a_full_executor_is_acked_kept_and_finished_by_the_worker(
    saturated: Saturated, full_slack: LocalSlack
) -> None:
    slack = full_slack
    rows = Rows(slack)
    assert slack.runtime is not None and slack.sender is not None
    saturated.hold()
    jordan = slack.customer_of(ACME)
    ts = slack.standin.add_message(
        ACME, user=jordan.user_id, text="Can't log in via SSO", team=jordan.team_id
    )
    sent = slack.sender.message(
        ACME, jordan.user_id, "Can't log in via SSO", user_team=jordan.team_id, ts=ts
    )
    assert sent.result.status == 200
    assert saturated.executor is not None and saturated.executor.rejected == 1
    # Not run now, not dropped: the stored delivery waits for the worker.
    assert [(e.event_id, e.status) for e in rows.events()] == [(sent.event_id, "received")]
    assert rows.conversations() == []
    assert bot_replies(slack, ACME, sent.ts) == []

    saturated.free()
    client = build_web_client(slack.runtime.settings)
    bot = BotIdentity(team_id="T0OURS", user_id="U0BOT")
    # Still fresh for the worker; once stale it is processed exactly once.
    assert retry_unfinished_events(runtime=slack.runtime, client=client, bot=bot, now=utcnow()) == 0
    later = utcnow() + timedelta(minutes=5)
    assert retry_unfinished_events(runtime=slack.runtime, client=client, bot=bot, now=later) == 1
    assert [e.status for e in rows.events()] == ["done"]
    assert [m.author for m in rows.messages()] == ["customer", "bot"]
    assert len(bot_replies(slack, ACME, sent.ts)) == 1
    assert retry_unfinished_events(runtime=slack.runtime, client=client, bot=bot, now=later) == 0


def test_click_while_the_executor_is_full_is_answered_and_left(
    saturated: Saturated, full_slack: LocalSlack
) -> None:
    slack = full_slack
    escalate(slack, GLOBEX, "I was charged twice, refund it now")
    card = card_in(slack, BILLING)
    agent = next(a.user for a in slack.config.agents if "billing" in a.skills)
    saturated.hold()
    assert press(slack, card, "claim_escalation", user=agent, channel=BILLING) == 200
    [escalation] = escalations(slack)
    assert escalation.claimed_by is None
    # With room again, the same click works.
    saturated.free()
    assert press(slack, card, "claim_escalation", user=agent, channel=BILLING) == 200
    slack.standin.wait_for(lambda: escalations(slack)[0].claimed_by == agent)
