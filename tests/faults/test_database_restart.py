"""The database restarts under load: requests fail cleanly while it is down, nothing is
half-written, and the running app recovers without a restart.

It uses a throwaway PostgreSQL cluster of its own (``initdb`` + ``pg_ctl`` on a free port), so
restarting it disturbs nobody else's server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import urlopen

import pytest
from sqlmodel import Session, select

from app.config import Settings, load_settings
from app.config_file import load_config
from app.conversations.intake import BotIdentity
from app.db.models import Conversation, Message, SlackEvent, utcnow
from app.runtime import bootstrap
from app.slack.client import build_web_client
from app.worker.event_retry import retry_unfinished_events
from standins.slack.signed_requests import SlackRequestSender
from standins.slack.standin import SlackStandin
from tests.conftest import example_config_text
from tests.test_several_instances import _free_port, _serve, _stop

pytestmark = pytest.mark.postgres

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
SECRET = "database-restart-secret"
TOKEN = "xoxb-database-restart"
CHANNELS = ["C0ACME", "C0GLOBEX", "C0INITECH"]


def _as_postgres_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class ThrowawayPostgres:
    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.port = port
        self.url = f"postgresql://escalation@127.0.0.1:{port}/postgres"

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres_user([str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), *args]),
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 -c fsync=on"
        self.pg_ctl("-o", options, "-l", str(self.data_dir / "server.log"), "-w", "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "-w", "stop")


@pytest.fixture
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL server binaries not found in {PG_BIN} (set PG_BIN)")
    root = Path(tempfile.mkdtemp(prefix="pg-restart-"))
    data_dir = root / "data"
    data_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(data_dir, "postgres")
    subprocess.run(
        _as_postgres_user(
            [str(PG_BIN / "initdb"), "-D", str(data_dir), "-U", "escalation", "--auth=trust"]
        ),
        check=True,
        capture_output=True,
        timeout=120,
    )
    server = ThrowawayPostgres(data_dir, _free_port())
    server.start()
    try:
        yield server
    finally:
        subprocess.run(
            _as_postgres_user(
                [str(PG_BIN / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "stop"]
            ),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Delivery:
    channel: str
    user: str
    team: str
    text: str
    ts: str
    event_id: str
    status: int = 0
    answered_in: float = 0.0


def _health(url: str) -> int:
    try:
        with urlopen(url + "/healthz", timeout=5) as response:  # noqa: S310
            return int(response.status)
    except HTTPError as exc:
        return exc.code
    except (URLError, OSError):
        return 0


def test_database_restart_mid_load(throwaway_postgres: ThrowawayPostgres, tmp_path: Path) -> None:
    config_path = tmp_path / "escalation.yml"
    config_path.write_text(example_config_text())
    standin = SlackStandin(bot_token=TOKEN, post_message_per_channel_per_second=None).start()
    for channel in CHANNELS:
        standin.add_channel(channel, f"ext-{channel.lower()}", is_ext_shared=True)
    config = load_config(config_path)
    internal = {skill: cfg.channel for skill, cfg in config.skills.items()}
    internal.update(overflow=config.overflow_channel, leads=config.leads_channel)
    for name, channel in internal.items():
        standin.add_channel(channel, f"support-{name.replace('_', '-')}")
    names = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key.upper() not in names}
    env.update(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=standin.url,
        DATABASE_URL=throwaway_postgres.url,
        ESCALATION_CONFIG=str(config_path),
        WEB_CONCURRENCY="1",
    )
    subprocess.run(
        [sys.executable, "-m", "app", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    processes, [url] = _serve(1, env, tmp_path)
    sender = SlackRequestSender(url + "/slack/events", SECRET, team_id="T0OURS")
    deliveries: list[Delivery] = []
    stop = threading.Event()

    def deliver(delivery: Delivery, retry_num: int | None = None) -> int:
        started = time.monotonic()
        try:
            status = sender.message(
                delivery.channel,
                delivery.user,
                delivery.text,
                user_team=delivery.team,
                ts=delivery.ts,
                event_id=delivery.event_id,
                retry_num=retry_num,
            ).result.status
        except OSError:
            status = 0  # no answer at all: not a clean failure
        delivery.answered_in = time.monotonic() - started
        return status

    def load() -> None:
        n = 0
        while not stop.is_set():
            channel = CHANNELS[n % len(CHANNELS)]
            user, team = f"U0LOAD{n:04d}", f"T0{channel[2:]}"
            standin.add_user(user, team_id=team, name=f"c{n}")
            text = f"Is there an API rate limit? ({n})"
            ts = standin.add_message(channel, user=user, text=text, team=team)
            delivery = Delivery(channel, user, team, text, ts, sender.new_event_id())
            delivery.status = deliver(delivery)
            deliveries.append(delivery)
            n += 1
            time.sleep(0.05)

    try:
        loader = threading.Thread(target=load, daemon=True)
        loader.start()
        standin.wait_for(lambda: len(deliveries) >= 20, timeout=60)
        throwaway_postgres.stop()
        down_at = len(deliveries)
        # While it is down: the health check says so and deliveries are refused, never hang.
        standin.wait_for(lambda: _health(url) == 503, timeout=20)
        standin.wait_for(lambda: len(deliveries) >= down_at + 10, timeout=60)
        throwaway_postgres.start()
        standin.wait_for(lambda: _health(url) == 200, timeout=30)  # the same process recovered
        recovered_at = len(deliveries)
        standin.wait_for(lambda: len(deliveries) >= recovered_at + 20, timeout=60)
        stop.set()
        loader.join(timeout=30)
        # Slack retries what was refused; the recovered instance takes it.
        refused = [d for d in deliveries if d.status != 200]
        retried = [deliver(d, retry_num=1) for d in refused]
        assert processes[0].poll() is None  # never restarted
    finally:
        stop.set()
        _stop(processes)

    assert refused, "deliveries while the database was down should have been refused"
    assert {d.status for d in refused} <= {500, 503}  # an HTTP error, not a hang or a reset
    assert all(d.status == 200 for d in deliveries[recovered_at:])
    assert retried == [200] * len(refused)

    # The worker finishes what the outage interrupted after the ack (stale or failed events).
    settings = load_settings(
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=standin.url,
        database_url=throwaway_postgres.url,
        escalation_config=config_path,
    )
    runtime = bootstrap(settings)
    client = build_web_client(settings)
    bot = BotIdentity(team_id="T0OURS", user_id=str(standin.workspace.bot_user_id))
    later = utcnow() + timedelta(minutes=5)
    while retry_unfinished_events(runtime=runtime, client=client, bot=bot, now=later):
        pass
    with Session(runtime.engine) as session:
        events = {e.event_id: e for e in session.exec(select(SlackEvent))}
        conversations = list(session.exec(select(Conversation)))
        messages = list(session.exec(select(Message)))
    runtime.engine.dispose()
    standin.stop()

    # Nothing lost: every delivery is stored and finished once.
    assert {d.event_id for d in deliveries} == set(events)
    assert {e.status for e in events.values()} == {"done"}
    # Nothing half-written: one conversation per message, with its message and one reply.
    assert len(conversations) == len(deliveries)
    by_thread = {(c.channel_id, c.thread_ts): c for c in conversations}
    for d in deliveries:
        conversation = by_thread[(d.channel, d.ts)]
        authors = sorted(m.author for m in messages if m.conversation_id == conversation.id)
        assert authors == ["bot", "customer"], (d, authors)
        assert len([m for m in standin.messages_in(d.channel, d.ts) if m.get("bot_id")]) == 1
