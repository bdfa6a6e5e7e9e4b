"""A real ``escalation-bot serve`` process SIGKILLed while it posts "<agent> joined" in the
customer's thread after a claim: the claim and its notice were stored together, so the worker
posts the line once, whether or not Slack had accepted the killed post.

The stand-in holds the post at the chosen moment; the test moves the notice's times back by the
grace and the lease instead of waiting them out (as ``tests/worker/test_worker_killed`` does).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen

import pytest
from sqlmodel import Session, select

from app.config import Settings
from app.db.models import Escalation
from app.db.outbox_table import OutboxEvent
from app.delivery.outbox import LEASE
from standins.local_slack import OUR_TEAM, LocalSlack
from standins.slack.signed_requests import SlackRequestSender
from standins.slack.standin import SlackStandin
from standins.slack.workspace import Workspace
from tests.escalations.test_thread_notices import AGENT, REFUND
from tests.slack.test_handoff import BILLING, GLOBEX, card_in, escalate, press
from tests.test_several_instances import _free_port
from tests.worker.test_worker_killed import BOT_TOKEN, WAIT, _lease_runs_out, _worker

SECRET = "thread-notices-killed-secret"


@pytest.fixture
def slack(database_url: str, config_copy: Path) -> Iterator[LocalSlack]:
    standin = SlackStandin(bot_token=BOT_TOKEN, workspace=Workspace(wall_clock_ts=True))
    with LocalSlack(database_url=database_url, config_path=config_copy, standin=standin) as local:
        yield local


@contextmanager
def _web_process(slack: LocalSlack, database_url: str, config_copy: Path) -> Iterator[str]:
    """A real web process (gunicorn, one worker) in a process group of its own; its URL."""
    port = _free_port()
    names = {name.upper() for name in Settings.model_fields}
    env = {
        **{k: v for k, v in os.environ.items() if k not in names},
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.standin.url,
        "DATABASE_URL": database_url,
        "ESCALATION_CONFIG": str(config_copy),
        "WEB_CONCURRENCY": "1",
        "XDG_RUNTIME_DIR": str(config_copy.parent),
    }
    with (config_copy.parent / "serve.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(port)],
            env=env,
            cwd=config_copy.parent,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + WAIT
        while not _healthy(url):
            assert process.poll() is None and time.monotonic() < deadline, (
                config_copy.parent / "serve.log"
            ).read_text()
            time.sleep(0.1)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _healthy(url: str) -> bool:
    try:
        with urlopen(url + "/healthz", timeout=1) as response:  # noqa: S310
            return bool(response.status == 200)
    except OSError:
        return False


def _notice(slack: LocalSlack) -> OutboxEvent | None:
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        return session.exec(select(OutboxEvent)).first()


def _joined_lines(slack: LocalSlack, thread_ts: str) -> list[dict[str, object]]:
    return [
        m
        for m in slack.standin.messages_in(GLOBEX, thread_ts)
        if m.get("bot_id") and f"<@{AGENT}>" in str(m.get("text"))
    ]


@pytest.mark.parametrize("accepted", [True, False], ids=["after-slack-accepted", "before-slack"])
def test_a_web_process_killed_while_telling_the_thread_tells_it_exactly_once(
    slack: LocalSlack, database_url: str, config_copy: Path, accepted: bool
) -> None:
    _customer, thread_ts = escalate(slack, GLOBEX, REFUND, "Maria")
    card = card_in(slack, BILLING)
    stall = slack.standin.stall_next("chat.postMessage", channel=GLOBEX, accept=accepted)
    with _web_process(slack, database_url, config_copy) as url:
        sender = SlackRequestSender(
            url + "/slack/events",
            SECRET,
            team_id=OUR_TEAM,
            response_url_base=slack.standin.response_url_base,
        )
        status = press(slack, card, "claim_escalation", user=AGENT, channel=BILLING, sender=sender)
        assert status == 200
        stall.wait_reached(timeout=WAIT)
    # killed (the whole process group) while its post was held
    stall.release()
    held = _notice(slack)
    assert held is not None and (held.status, held.attempts) == ("delivering", 1)
    assert held.idempotency_key.startswith("joined:")
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        [escalation] = session.exec(select(Escalation))
    assert (escalation.status, escalation.claimed_by) == ("claimed", AGENT)
    assert len(_joined_lines(slack, thread_ts)) == (1 if accepted else 0)
    _lease_runs_out(slack, OutboxEvent, "next_attempt_at", LEASE)

    with _worker(slack, database_url, config_copy):
        slack.standin.wait_for(
            lambda: (sent := _notice(slack)) is not None and sent.status == "delivered",
            timeout=WAIT,
        )

    [line] = _joined_lines(slack, thread_ts)
    sent = _notice(slack)
    assert sent is not None and sent.external_id == line["ts"]
    assert line["metadata"] == {
        "event_type": "bot_reply",
        "event_payload": {"key": held.idempotency_key},
    }
