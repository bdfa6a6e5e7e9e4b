"""EVENT_PROCESSING=worker: web processes only store and ack; event processors do the work, once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.conversations.intake import BotIdentity
from app.db.engine import session_scope
from app.db.events import claim_queued_events
from app.slack.client import build_web_client
from app.slack.workspaces import the_single_workspace
from app.worker.event_processor import EventProcessor
from standins.local_slack import LocalSlack
from tests.slack.conftest import Rows

ACME = "C0ACME"


@pytest.fixture
def queued_slack(database_url: str, example_config_path: Path) -> Iterator[LocalSlack]:
    with LocalSlack(
        database_url=database_url, config_path=example_config_path, event_processing="worker"
    ) as local:
        yield local


@contextmanager
def _processors(local: LocalSlack, count: int = 1, threads: int = 4) -> Iterator[None]:
    assert local.runtime is not None
    stop = threading.Event()
    runners = []
    client = build_web_client(local.runtime.settings)  # one process: one pacer per channel
    for _ in range(count):
        bot = BotIdentity(team_id="T0OURS", user_id=str(local.standin.workspace.bot_user_id))
        processor = EventProcessor(
            runtime=local.runtime,
            workspace_of=the_single_workspace(local.runtime, client, bot),
            threads=threads,
        )
        runners.append(threading.Thread(target=processor.run, args=(stop,), daemon=True))
    for runner in runners:
        runner.start()
    try:
        yield
    finally:
        stop.set()
        for runner in runners:
            runner.join(timeout=10)


def test_web_only_stores_and_acks_then_a_processor_replies_once(queued_slack: LocalSlack) -> None:
    local = queued_slack
    assert local.sender is not None
    rows = Rows(local)
    jordan = local.customer_of(ACME)
    ts = local.standin.add_message(
        ACME, user=jordan.user_id, text="How do I rotate an API key?", team=jordan.team_id
    )
    sent = local.sender.message(
        ACME, jordan.user_id, "How do I rotate an API key?", user_team=jordan.team_id, ts=ts
    )
    assert sent.result.status == 200
    # Acknowledged and stored, nothing done yet: no processor is running.
    assert [(e.event_id, e.status) for e in rows.events()] == [(sent.event_id, "queued")]
    assert rows.conversations() == []
    # Slack's retry of a queued delivery is acknowledged only.
    again = local.sender.message(
        ACME,
        jordan.user_id,
        "How do I rotate an API key?",
        user_team=jordan.team_id,
        ts=ts,
        event_id=sent.event_id,
        retry_num=1,
    )
    assert again.result.status == 200

    with _processors(local):
        assert local.wait_processed(sent.event_id) == "done"
    assert len(rows.conversations()) == 1
    replies = [m for m in local.standin.messages_in(ACME, ts) if m.get("bot_id")]
    assert len(replies) == 1
    assert [m.author for m in rows.messages()] == ["customer", "bot"]


def test_two_processors_take_each_event_exactly_once(queued_slack: LocalSlack) -> None:
    local = queued_slack
    assert local.sender is not None
    rows = Rows(local)
    sent = []
    for n in range(12):  # twelve people, so that no question joins another's conversation
        person = local.customer_of(ACME, name=chr(ord("A") + n))
        text = f"Question {n}: how do I export my data?"
        ts = local.standin.add_message(ACME, user=person.user_id, text=text, team=person.team_id)
        sent.append(
            local.sender.message(ACME, person.user_id, text, user_team=person.team_id, ts=ts)
        )
    with _processors(local, count=2, threads=3):
        for message in sent:
            assert local.wait_processed(message.event_id, timeout=60) == "done"
    assert len(rows.conversations()) == 12
    for message in sent:
        replies = [m for m in local.standin.messages_in(ACME, message.ts) if m.get("bot_id")]
        assert len(replies) == 1, message.ts
    assert {e.status for e in rows.events()} == {"done"}


def test_concurrent_claims_take_disjoint_events(queued_slack: LocalSlack) -> None:
    """The claim itself, raced by eight threads (``FOR UPDATE SKIP LOCKED`` on PostgreSQL)."""
    local = queued_slack
    assert local.runtime is not None and local.sender is not None
    engine = local.runtime.engine
    jordan = local.customer_of(ACME)
    ids = {
        local.sender.message(ACME, jordan.user_id, f"m{n}", user_team=jordan.team_id).event_id
        for n in range(40)
    }
    taken: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def claimer() -> None:
        barrier.wait()
        while True:
            with session_scope(engine) as session:
                claimed = claim_queued_events(session=session, limit=3)
            if not claimed:
                return
            with lock:
                taken.extend(event_id for event_id, _payload, _team in claimed)

    threads = [threading.Thread(target=claimer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == sorted(ids)  # every event taken, none twice
    assert {e.status for e in Rows(local).events()} == {"received"}
