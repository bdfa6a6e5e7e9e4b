"""Digests run once per cron slot: overlapping workers, a worker killed mid-run, a worker that
was down when the slot fired."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from app.db.engine import session_scope
from app.db.scheduled_runs import take_slot
from app.sandbox.local_slack import LocalSlack
from app.slack.client import build_web_client
from app.worker.report_jobs import post_leads_digest
from app.worker.scheduled_slots import CATCH_UP, LEASE, latest_slot, run_due_slot

MONDAY_8 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
CRON = "0 8 * * mon"
LEADS = "C0LEADS"


def test_latest_slot_is_the_last_firing_within_the_catch_up_window() -> None:
    assert latest_slot(CRON, MONDAY_8) == MONDAY_8
    assert latest_slot(CRON, MONDAY_8 + timedelta(minutes=20)) == MONDAY_8
    assert latest_slot(CRON, MONDAY_8 - timedelta(seconds=1)) is None
    assert latest_slot(CRON, MONDAY_8 + CATCH_UP + timedelta(seconds=1)) is None
    assert latest_slot("*/15 * * * *", MONDAY_8 + timedelta(minutes=31)) == MONDAY_8 + timedelta(
        minutes=30
    )


def _digests(slack: LocalSlack) -> list[dict[str, object]]:
    return [m for m in slack.standin.messages_in(LEADS) if "digest" in str(m.get("text"))]


def _run(slack: LocalSlack, now: datetime) -> bool:
    assert slack.runtime is not None
    runtime = slack.runtime
    client = build_web_client(runtime.settings)
    return run_due_slot(
        engine=runtime.engine,
        job_id="post_leads_digest",
        crontab=CRON,
        now=now,
        work=lambda slot, send: post_leads_digest(
            runtime=runtime, client=client, now=slot, send=send
        ),
    )


def test_two_overlapping_workers_post_the_digest_once(slack: LocalSlack) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        barrier.wait()
        results.append(_run(slack, MONDAY_8 + timedelta(seconds=5)))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert len(_digests(slack)) == 1
    assert _run(slack, MONDAY_8 + timedelta(minutes=1)) is False  # the next check: done already
    assert len(_digests(slack)) == 1


def test_a_slot_whose_worker_was_killed_mid_run_is_taken_over_once(slack: LocalSlack) -> None:
    assert slack.runtime is not None
    # What a worker killed (SIGKILL) after taking the slot and before posting leaves behind.
    with session_scope(slack.runtime.engine) as session:
        assert take_slot(
            session=session,
            job_id="post_leads_digest",
            slot=MONDAY_8,
            now=MONDAY_8,
            lease=LEASE,
        )
    # The restarted worker leaves it alone while the dead one's lease runs...
    assert _run(slack, MONDAY_8 + LEASE - timedelta(seconds=1)) is False
    assert _digests(slack) == []
    # ...then posts it, once.
    assert _run(slack, MONDAY_8 + LEASE + timedelta(seconds=1)) is True
    assert _run(slack, MONDAY_8 + LEASE + timedelta(minutes=1)) is False
    assert len(_digests(slack)) == 1


def test_a_worker_down_when_the_slot_fired_catches_up_once(slack: LocalSlack) -> None:
    assert _run(slack, MONDAY_8 - timedelta(minutes=1)) is False  # not due yet
    assert _run(slack, MONDAY_8 + timedelta(minutes=42)) is True  # restarted after the slot
    assert _run(slack, MONDAY_8 + timedelta(minutes=43)) is False
    assert len(_digests(slack)) == 1
