"""Several real ``escalation-bot serve`` processes sharing one PostgreSQL database and one Slack:
retried deliveries spread across instances, a rush of Claim clicks, and a hanging model."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.config import Settings
from app.config_file import EscalationConfig, load_config
from app.db.models import Conversation, Escalation, SlackEvent
from standins.openai_api import OpenAIStandin
from standins.slack.signed_requests import SlackRequestSender
from standins.slack.standin import SlackStandin
from tests.conftest import example_config_text, fresh_postgres_database

pytestmark = pytest.mark.postgres

SIGNING_SECRET = "several-instances-secret"
BOT_TOKEN = "xoxb-several-instances"
OUR_TEAM = "T0OURS"
ACME, GLOBEX, BILLING = "C0ACME", "C0GLOBEX", "C0BILLING"
AGENTS = [f"U0BILL{n:02d}" for n in range(20)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _base_env() -> dict[str, str]:
    names = {name.upper() for name in Settings.model_fields}
    return {k: v for k, v in os.environ.items() if k not in names}


@pytest.fixture(scope="module")
def module_postgres_url() -> Iterator[str]:
    """Like ``postgres_url``, one fresh database shared by the instances of this module."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def config_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example config with twenty more billing agents."""
    agents = "\n".join(
        f"  - {{user: {user}, skills: [billing], languages: [en, es]}}" for user in AGENTS
    )
    text = example_config_text().replace("agents:\n", f"agents:\n{agents}\n", 1)
    path = tmp_path_factory.mktemp("config") / "escalation.yml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def standin(config_path: Path) -> Iterator[SlackStandin]:
    """One Slack for every instance, seeded with the config's channels and people."""
    standin = SlackStandin(bot_token=BOT_TOKEN).start()
    config = load_config(config_path)
    for account in config.accounts:
        standin.add_channel(account.channel, f"ext-{account.channel.lower()}", is_ext_shared=True)
    internal = {skill: cfg.channel for skill, cfg in config.skills.items()}
    internal["overflow"] = config.overflow_channel
    internal["leads"] = config.leads_channel
    for name, channel in internal.items():
        standin.add_channel(channel, f"support-{name.replace('_', '-')}")
    for user in {agent.user for agent in config.agents} | set(config.leads):
        standin.add_user(user, team_id=OUR_TEAM, name=user.lower())
    try:
        yield standin
    finally:
        standin.stop()


@dataclass
class Cluster:
    urls: list[str]
    engine: Engine
    standin: SlackStandin
    config: EscalationConfig
    processes: list[subprocess.Popen[str]]

    def sender(self, index: int) -> SlackRequestSender:
        return SlackRequestSender(
            self.urls[index % len(self.urls)] + "/slack/events",
            SIGNING_SECRET,
            team_id=OUR_TEAM,
            response_url_base=self.standin.response_url_base,
        )

    def rows(self, model: Any) -> list[Any]:
        with Session(self.engine) as session:
            return list(session.exec(select(model)))

    def bot_replies(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        return [m for m in self.standin.messages_in(channel, thread_ts) if m.get("bot_id")]


def _serve(
    count: int, env: dict[str, str], cwd: Path
) -> tuple[list[subprocess.Popen[str]], list[str]]:
    processes: list[subprocess.Popen[str]] = []
    urls: list[str] = []
    for _ in range(count):
        port = _free_port()
        # Each gunicorn master gets its own control socket (the default path is per user).
        runtime_dir = cwd / f"run-{port}"
        runtime_dir.mkdir()
        # Output goes to a file: a pipe nobody reads would stall a busy server once full.
        with (runtime_dir / "serve.log").open("w") as log:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "app", "serve", "--port", str(port)],
                    env={**env, "XDG_RUNTIME_DIR": str(runtime_dir)},
                    cwd=cwd,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
            )
        urls.append(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 30
    for process, url in zip(processes, urls, strict=True):
        while True:
            try:
                with urlopen(url + "/healthz", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:  # refused, reset, or not answered yet (a worker still loading)
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                _stop(processes)
                log_path = cwd / f"run-{url.rsplit(':', 1)[1]}" / "serve.log"
                pytest.fail(f"serve did not come up:\n{log_path.read_text()}")
            time.sleep(0.1)
    return processes, urls


def _stop(processes: list[subprocess.Popen[str]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def _cluster(
    count: int,
    postgres_url: str,
    standin: SlackStandin,
    config_path: Path,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Cluster]:
    env = {
        **_base_env(),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": standin.url,
        "DATABASE_URL": postgres_url,
        "ESCALATION_CONFIG": str(config_path),
        "WEB_CONCURRENCY": "1",
        **(extra_env or {}),
    }
    upgraded = subprocess.run(
        [sys.executable, "-m", "app", "db", "upgrade"],
        env=env,
        cwd=config_path.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert upgraded.returncode == 0, upgraded.stderr
    processes, urls = _serve(count, env, config_path.parent)
    engine = create_engine(postgres_url)
    try:
        yield Cluster(urls, engine, standin, load_config(config_path), processes)
    finally:
        _stop(processes)
        engine.dispose()


@pytest.fixture(scope="module")
def three(module_postgres_url: str, standin: SlackStandin, config_path: Path) -> Iterator[Cluster]:
    """Three instances (one gunicorn worker each) on one database and one Slack, started once
    for the module: each test works in its own channel, thread or escalation."""
    with _cluster(3, module_postgres_url, standin, config_path) as cluster:
        yield cluster


def _all_at_once(tasks: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(tasks))

    def run(task: Callable[[], Any]) -> Any:
        barrier.wait()
        return task()

    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        return list(pool.map(run, tasks))


def _customer(standin: SlackStandin, channel: str) -> tuple[str, str]:
    user, team = f"U0C{uuid.uuid4().hex[:8].upper()}", f"T0{channel[2:]}"
    standin.add_user(user, team_id=team, name="jordan", real_name="Jordan")
    return user, team


def test_one_event_delivered_four_times_to_three_instances_is_processed_once(
    three: Cluster,
) -> None:
    standin = three.standin
    user, team = _customer(standin, ACME)
    text = "Is there an API rate limit?"
    ts = standin.add_message(ACME, user=user, text=text, team=team)
    event_id = "EvSEVERAL0001"

    def deliver(attempt: int) -> int:
        sent = three.sender(attempt).message(
            ACME,
            user,
            text,
            user_team=team,
            ts=ts,
            event_id=event_id,
            retry_num=attempt or None,
        )
        return sent.result.status

    statuses = _all_at_once([partial(deliver, n) for n in range(4)])
    assert statuses == [200] * 4

    def finished() -> bool:
        return [e.status for e in three.rows(SlackEvent) if e.event_id == event_id] == ["done"]

    standin.wait_for(finished, timeout=20)
    standin.wait_for(lambda: three.bot_replies(ACME, ts), timeout=20)
    assert (
        len([c for c in three.rows(Conversation) if c.channel_id == ACME and c.thread_ts == ts])
        == 1
    )
    assert len(three.bot_replies(ACME, ts)) == 1


def test_twenty_claims_across_three_instances_give_one_owner(three: Cluster) -> None:
    standin = three.standin
    user, team = _customer(standin, GLOBEX)
    text = "I was charged twice, refund it now"
    ts = standin.add_message(GLOBEX, user=user, text=text, team=team)
    assert three.sender(0).message(GLOBEX, user, text, user_team=team, ts=ts).result.status == 200
    [card] = standin.wait_for(
        lambda: [m for m in standin.messages_in(BILLING) if m.get("bot_id")], timeout=20
    )
    standin.wait_for(
        lambda: any(e.card_ts == card["ts"] for e in three.rows(Escalation)), timeout=20
    )
    [(block, button)] = [
        (block, element)
        for block in card["blocks"]
        for element in block.get("elements") or []
        if element.get("action_id") == "claim_escalation"
    ]

    def claim(index: int) -> int:
        result = three.sender(index).block_action(
            user=AGENTS[index],
            user_team=OUR_TEAM,
            action_id="claim_escalation",
            value=button.get("value"),
            block_id=block.get("block_id"),
            channel=BILLING,
            message_ts=card["ts"],
            message=card,
            action_type="button",
        )
        return result.status

    statuses = _all_at_once([partial(claim, n) for n in range(len(AGENTS))])
    assert statuses == [200] * len(AGENTS)

    standin.wait_for(
        lambda: sum(len(standin.ephemerals_for(a)) for a in AGENTS) == len(AGENTS) - 1,
        timeout=20,
    )
    [escalation] = [e for e in three.rows(Escalation) if e.card_ts == card["ts"]]
    owner = escalation.claimed_by
    assert owner in AGENTS and escalation.status == "claimed"
    for agent in AGENTS:
        notices = [n["text"] for n in standin.ephemerals_for(agent)]
        assert notices == ([] if agent == owner else [f"Already claimed by <@{owner}>."])


def test_events_are_acknowledged_while_the_model_hangs(
    postgres_url: str, standin: SlackStandin, config_path: Path
) -> None:
    model = OpenAIStandin(mode="hang").start()
    try:
        extra = {
            "OPENAI_API_KEY": model.api_key,
            "OPENAI_BASE_URL": model.base_url,
            "OPENAI_TIMEOUT_SECONDS": "30",
        }
        with _cluster(1, postgres_url, standin, config_path, extra) as cluster:
            user, team = _customer(standin, ACME)
            text = "How do I rotate my API key?"
            ts = standin.add_message(ACME, user=user, text=text, team=team)
            started = time.perf_counter()
            sent = cluster.sender(0).message(ACME, user, text, user_team=team, ts=ts)
            latency_ms = (time.perf_counter() - started) * 1000
            print(f"ack while the model hangs: {latency_ms:.0f} ms")
            assert sent.result.status == 200
            # The model has the message and has not answered: no reply can have been posted.
            standin.wait_for(lambda: model.requests, timeout=20)
            assert cluster.bot_replies(ACME, ts) == []
            [event] = [e for e in cluster.rows(SlackEvent) if e.event_id == sent.event_id]
            assert event.status == "received"
            # Once the model lets go, the reply follows the ack.
            model.stop()
            standin.wait_for(lambda: cluster.bot_replies(ACME, ts), timeout=30)
    finally:
        model.stop()


def _kill_hard(process: subprocess.Popen[str]) -> None:
    """SIGKILL a ``serve`` process and its gunicorn workers, as a crash would."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    for pid in [process.pid, *map(int, children)]:
        os.kill(pid, signal.SIGKILL)
    process.wait()


def test_a_delivery_that_crashed_before_commit_is_processed_on_slacks_retry(
    postgres_url: str, standin: SlackStandin, config_path: Path
) -> None:
    with _cluster(2, postgres_url, standin, config_path) as cluster:
        user, team = _customer(standin, ACME)
        text = "Our webhooks stopped arriving"
        ts = standin.add_message(ACME, user=user, text=text, team=team)
        event_id = "EvCRASHED0001"
        # Hold the events table so the first instance's store cannot finish...
        blocker = cluster.engine.connect()
        blocker.execute(sql_text("LOCK TABLE slack_events IN SHARE ROW EXCLUSIVE MODE"))

        def first_delivery() -> None:
            with suppress(OSError):
                cluster.sender(0).message(
                    ACME, user, text, user_team=team, ts=ts, event_id=event_id
                )

        threading.Thread(target=first_delivery, daemon=True).start()

        def waiting_insert() -> bool:
            with cluster.engine.connect() as connection:
                return bool(
                    connection.execute(
                        sql_text(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                            " AND query LIKE 'INSERT INTO slack_events%'"
                        )
                    ).scalar()
                )

        standin.wait_for(waiting_insert, timeout=20)
        # ...and the instance crashes before its transaction commits (Slack got no answer).
        _kill_hard(cluster.processes[0])
        blocker.rollback()
        blocker.close()

        def backend_gone() -> bool:
            return not waiting_insert()

        standin.wait_for(backend_gone, timeout=20)
        assert [e for e in cluster.rows(SlackEvent) if e.event_id == event_id] == []
        assert [c for c in cluster.rows(Conversation) if c.thread_ts == ts] == []

        # Slack retries the delivery; another instance takes it and does the whole work once.
        retry = cluster.sender(1).message(
            ACME, user, text, user_team=team, ts=ts, event_id=event_id, retry_num=1
        )
        assert retry.result.status == 200
        standin.wait_for(lambda: cluster.bot_replies(ACME, ts), timeout=30)
        standin.wait_for(
            lambda: (
                [e.status for e in cluster.rows(SlackEvent) if e.event_id == event_id] == ["done"]
            ),
            timeout=20,
        )
        assert len([c for c in cluster.rows(Conversation) if c.thread_ts == ts]) == 1
        assert len(cluster.bot_replies(ACME, ts)) == 1
