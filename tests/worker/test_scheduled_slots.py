"""Digests run once per cron slot: overlapping workers, a slot whose holder's lease ran out, a
worker that was down when the slot fired. Real worker processes killed mid-post are in
``test_worker_killed.py``."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from app.db.engine import session_scope
from app.db.scheduled_runs import take_slot
from app.slack.client import build_web_client
from app.worker.report_jobs import post_leads_digest
from app.worker.scheduled_slots import (
    CATCH_UP,
    LEASE,
    SlotSend,
    latest_slot,
    run_due_slot,
    slot_key,
)
from standins.local_slack import LocalSlack

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


def test_a_slot_held_past_its_lease_is_taken_over_once(slack: LocalSlack) -> None:
    assert slack.runtime is not None
    # Another holder took the slot and never finished it.
    with session_scope(slack.runtime.engine) as session:
        assert take_slot(
            session=session,
            job_id="post_leads_digest",
            slot=MONDAY_8,
            now=MONDAY_8,
            lease=LEASE,
            holder="host-a:41",
        )
    # It is left alone while the holder's lease runs...
    assert _run(slack, MONDAY_8 + LEASE - timedelta(seconds=1)) is False
    assert _digests(slack) == []
    # ...then posted, once.
    assert _run(slack, MONDAY_8 + LEASE + timedelta(seconds=1)) is True
    assert _run(slack, MONDAY_8 + LEASE + timedelta(minutes=1)) is False
    assert len(_digests(slack)) == 1


def test_only_a_slot_taken_over_is_looked_for_and_the_work_learns_what_was_found(
    slack: LocalSlack,
) -> None:
    assert slack.runtime is not None
    engine = slack.runtime.engine
    looked_for: list[tuple[str, datetime]] = []
    sends: list[SlotSend] = []

    def find_post(key: str, since: datetime) -> str | None:
        looked_for.append((key, since))
        return "1764489600.000100"

    def run(job_id: str, now: datetime) -> bool:
        return run_due_slot(
            engine=engine,
            job_id=job_id,
            crontab=CRON,
            now=now,
            work=lambda slot, send: sends.append(send),
            find_post=find_post,
        )

    assert run("fresh_job", MONDAY_8 + timedelta(seconds=5)) is True
    assert looked_for == [] and sends == [SlotSend(slot_key("fresh_job", MONDAY_8))]
    with session_scope(engine) as session:
        take_slot(session=session, job_id="held_job", slot=MONDAY_8, now=MONDAY_8, lease=LEASE)
    assert run("held_job", MONDAY_8 + LEASE + timedelta(seconds=1)) is True
    key = slot_key("held_job", MONDAY_8)
    assert key == "held_job@2026-11-30T08:00Z"
    assert looked_for == [(key, MONDAY_8)]
    assert sends[-1] == SlotSend(key, posted_ts="1764489600.000100")


def test_a_worker_down_when_the_slot_fired_catches_up_once(slack: LocalSlack) -> None:
    assert _run(slack, MONDAY_8 - timedelta(minutes=1)) is False  # not due yet
    assert _run(slack, MONDAY_8 + timedelta(minutes=42)) is True  # restarted after the slot
    assert _run(slack, MONDAY_8 + timedelta(minutes=43)) is False
    assert len(_digests(slack)) == 1
