"""A real ``escalation-bot worker`` process SIGKILLed in the middle of sending a reminder or a
digest, then started again: exactly one message reaches Slack, none is lost.

The stand-in holds the worker's post at the chosen moment: after Slack accepted it (the message
is stored, the worker has not heard back, so its row is still being delivered or running), or
before Slack saw it (the request is then dropped). The worker is killed while held. Instead of
waiting out the dead worker's lease, the test moves its row's lease back by the lease (the time
a real restart would wait); the restarted worker then settles the send by looking for its key.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.config import Settings
from app.db.models import Escalation, KnowledgeGap, ScheduledRun, utcnow
from app.db.outbox_table import OutboxEvent
from app.delivery.outbox import LEASE as OUTBOX_LEASE
from app.escalations.reminders import KIND as REMINDER
from app.worker.scheduled_slots import LEASE, slot_key
from standins.local_slack import LocalSlack
from standins.slack.standin import SlackStandin
from standins.slack.workspace import Workspace
from tests.conftest import example_config_text
from tests.slack.test_handoff import (
    ACME,
    BILLING,
    GLOBEX,
    LEADS,
    OVERFLOW,
    card_in,
    claim_and_resolve,
    escalate,
)

BOT_TOKEN = "xoxb-worker-killed"
WAIT = 60.0  # seconds a worker gets to reach a point (it starts, then runs its jobs at once)


@pytest.fixture
def digest_slot() -> datetime:
    """A daily digest slot that fired two minutes ago (so it is due when the worker starts)."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return now - timedelta(minutes=2)


@pytest.fixture(params=["leads_digest", "gap_digest"])
def digest_job(request: pytest.FixtureRequest) -> str:
    """The cron digest due at ``digest_slot`` (the other one is not due)."""
    return str(request.param)


@pytest.fixture
def config_path(tmp_path: Path, digest_slot: datetime, request: pytest.FixtureRequest) -> Path:
    text = example_config_text()
    due = f"{digest_slot.minute} {digest_slot.hour} * * *"
    never = "0 0 29 2 *"  # 29 February: not due in these tests
    job = request.getfixturevalue("digest_job") if "digest_job" in request.fixturenames else None
    crons = {"leads_digest": never, "gap_digest": never}
    crons[job or "leads_digest"] = due
    path = tmp_path / "escalation.yml"
    path.write_text(
        text + f"\nreports: {{leads_digest_cron: '{crons['leads_digest']}', "
        f"gap_digest_cron: '{crons['gap_digest']}'}}\n"
    )
    return path


@pytest.fixture
def slack(database_url: str, config_path: Path) -> Iterator[LocalSlack]:
    """The app and a Slack stand-in whose message timestamps follow the wall clock."""
    standin = SlackStandin(bot_token=BOT_TOKEN, workspace=Workspace(wall_clock_ts=True))
    with LocalSlack(database_url=database_url, config_path=config_path, standin=standin) as local:
        yield local


def _engine(slack: LocalSlack) -> Engine:
    assert slack.runtime is not None
    return slack.runtime.engine


@contextmanager
def _worker(
    slack: LocalSlack,
    database_url: str,
    config_path: Path,
    command: str = "worker",
    **settings: str,
) -> Iterator[int]:
    """A real worker (or ``command``) process (its pid); stopped at the end if still running."""
    names = {name.upper() for name in Settings.model_fields}
    env = {
        **{k: v for k, v in os.environ.items() if k not in names},
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "worker-killed-secret",
        "SLACK_API_URL": slack.standin.url,
        "DATABASE_URL": database_url,
        "ESCALATION_CONFIG": str(config_path),
        **{name.upper(): value for name, value in settings.items()},
    }
    log = config_path.parent / f"worker-{len(list(config_path.parent.glob('worker-*')))}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", command],
            env=env,
            cwd=config_path.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process.pid
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def _overdue_escalation(slack: LocalSlack) -> int:
    """An enterprise escalation whose claim window ran out a minute ago."""
    escalate(slack, ACME, "Cancel our contract please")
    with Session(_engine(slack)) as session:
        [escalation] = session.exec(select(Escalation))
        escalation.claim_deadline = utcnow() - timedelta(minutes=1)
        session.add(escalation)
        session.commit()
        assert escalation.id is not None
        return escalation.id


def _reminder(slack: LocalSlack) -> OutboxEvent | None:
    with Session(_engine(slack)) as session:
        return session.exec(select(OutboxEvent).where(col(OutboxEvent.kind) == REMINDER)).first()


def _slot(slack: LocalSlack, job_id: str) -> ScheduledRun | None:
    with Session(_engine(slack)) as session:
        return session.exec(select(ScheduledRun).where(col(ScheduledRun.job_id) == job_id)).first()


def _knowledge_gap_before(slack: LocalSlack, slot: datetime) -> None:
    """An escalation resolved as a knowledge gap, reported before the digest's slot."""
    escalate(slack, GLOBEX, "Quiero un reembolso por la exportación a QuickBooks", "Maria")
    card = card_in(slack, BILLING)
    claim_and_resolve(slack, card, channel=BILLING, agent="U0AGENT1", tag="ai_knowledge_gap")
    slack.standin.wait_for(lambda: _gaps(slack))
    with Session(_engine(slack)) as session:
        for gap in session.exec(select(KnowledgeGap)):
            gap.created_at = slot - timedelta(minutes=5)
            session.add(gap)
        session.commit()


def _gaps(slack: LocalSlack) -> list[KnowledgeGap]:
    with Session(_engine(slack)) as session:
        return list(session.exec(select(KnowledgeGap)))


def _keyed(slack: LocalSlack, channel: str) -> list[dict[str, Any]]:
    """Our messages in ``channel`` that carry a send key."""
    return [
        m
        for m in slack.standin.messages_in(channel)
        if m.get("bot_id") and (m.get("metadata") or {}).get("event_payload", {}).get("key")
    ]


def _lease_runs_out(slack: LocalSlack, model: Any, column: str, lease: timedelta) -> None:
    """What waiting for the dead holder's lease would do: its start moves back by the lease."""
    with Session(_engine(slack)) as session:
        for row in session.exec(select(model)):
            setattr(row, column, getattr(row, column) - lease - timedelta(seconds=1))
            session.add(row)
        session.commit()


@pytest.mark.parametrize("accepted", [True, False], ids=["after-slack-accepted", "before-slack"])
def test_a_worker_killed_while_sending_a_reminder_sends_it_exactly_once(
    slack: LocalSlack, database_url: str, config_path: Path, accepted: bool
) -> None:
    escalation_id = _overdue_escalation(slack)
    stall = slack.standin.stall_next("chat.postMessage", channel=OVERFLOW, accept=accepted)
    with _worker(slack, database_url, config_path) as pid:
        stall.wait_reached(timeout=WAIT)
        sending = _reminder(slack)
        assert sending is not None
        assert (sending.status, sending.attempts) == ("delivering", 1)
        assert len(_keyed(slack, OVERFLOW)) == (1 if accepted else 0)
        _kill(pid)
    stall.release()
    assert _reminder(slack).status == "delivering"  # type: ignore[union-attr]
    _lease_runs_out(slack, OutboxEvent, "next_attempt_at", OUTBOX_LEASE)

    with _worker(slack, database_url, config_path):
        slack.standin.wait_for(
            lambda: (sent := _reminder(slack)) is not None and sent.status == "delivered",
            timeout=WAIT,
        )
    [card] = _keyed(slack, OVERFLOW)
    sent = _reminder(slack)
    assert sent is not None and sent.external_id == card["ts"]
    key = sent.idempotency_key
    assert card["metadata"]["event_payload"]["key"] == key == sending.idempotency_key
    assert key.startswith(f"reminder:{escalation_id}:overflow:")
    with Session(_engine(slack)) as session:
        escalation = session.get(Escalation, escalation_id)
        assert escalation is not None and escalation.overflow_card_ts == card["ts"]


@pytest.mark.parametrize("accepted", [True, False], ids=["after-slack-accepted", "before-slack"])
def test_a_worker_killed_while_posting_a_digest_posts_it_exactly_once(
    slack: LocalSlack,
    database_url: str,
    config_path: Path,
    digest_slot: datetime,
    digest_job: str,
    accepted: bool,
) -> None:
    job_id = f"post_{digest_job}" if digest_job == "leads_digest" else "post_knowledge_gap_digest"
    if digest_job == "gap_digest":
        _knowledge_gap_before(slack, digest_slot)
    stall = slack.standin.stall_next("chat.postMessage", channel=LEADS, accept=accepted)
    with _worker(slack, database_url, config_path) as pid:
        stall.wait_reached(timeout=WAIT)
        running = _slot(slack, job_id)
        assert running is not None and running.holder is not None
        assert (running.status, running.holder.split(":")[-1]) == ("running", str(pid))
        assert len(_keyed(slack, LEADS)) == (1 if accepted else 0)
        _kill(pid)
    stall.release()
    _lease_runs_out(slack, ScheduledRun, "taken_at", LEASE)

    with _worker(slack, database_url, config_path):
        slack.standin.wait_for(
            lambda: (done := _slot(slack, job_id)) is not None and done.status == "done",
            timeout=WAIT,
        )
    [digest] = _keyed(slack, LEADS)
    assert digest["metadata"] == {
        "event_type": "scheduled_digest",
        "event_payload": {"key": slot_key(job_id, digest_slot)},
    }
    if digest_job == "leads_digest":
        assert "Weekly escalation digest" in digest["text"]
        return
    assert "knowledge gap" in digest["text"]
    assert all(gap.digested_at is not None for gap in _gaps(slack))
    [draft] = slack.standin.messages_in(LEADS, digest["ts"])  # one topic: one article draft
    assert draft["text"].startswith("Article draft")
