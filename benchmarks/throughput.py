"""End-to-end throughput with offline triage beside a bare pipeline; memory of a web process.

Run: ``python benchmarks/throughput.py [--database-url URL] [--messages 1000]
[--topologies NAME ...]`` from the repository root. The database is a temporary SQLite file,
migrated like any other, unless ``--database-url`` names a PostgreSQL database this run may
migrate and fill. It starts the local Slack stand-in and a generated config with one customer
account (and Slack Connect channel) per message, so Slack's per-channel posting limit does not
set the pace. For each topology:

* one web process (``serve``, ``WEB_CONCURRENCY=1``) and one ``escalation-bot events`` process
  (``EVENT_PROCESSING=worker``, 4 threads); three of each with ``--topologies "3 web + 3 events"``;
* the bare pipeline: a Bolt app behind the same WSGI front and gunicorn settings that verifies
  the signature, inserts the event into one table of the same database and posts one
  ``chat.postMessage`` reply in its thread to the same stand-in;

it sends every message as a signed ``message`` event (16 senders in parallel), and measures the
messages per second from the first delivery to the last event finished (triaged, answered or
escalated, its reply or card posted on the stand-in; for the bare pipeline, its reply posted).
It prints ``ratio app / bare pipeline: N.NNx`` (the first app topology's messages per second over
the bare pipeline's), and the scaling factor of three processes against one when both ran.
(Inline processing is not measured here: a burst beyond its executor's bound, 16 running and 64
waiting per process, is left to the worker's two-minute stale-event sweep, so its figure would
measure that horizon.) It reports the CPU time the topology's processes (web and events) used
per message, which depends much less than the rate on what else the machine is doing, and
samples the resident memory (RSS) of one web instance (gunicorn's master and its worker) and of
one events process, idle before the load and at its peak during it.
Everything runs on this one machine.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ack_latency import (  # noqa: E402
    _base_env,
    _free_port,
    _running,
    background,
    cpu_seconds,
    family,
)
from sqlalchemy import create_engine, text  # noqa: E402

from app.config import EXAMPLE_CONFIG, Settings  # noqa: E402
from standins.slack.signed_requests import SlackRequestSender  # noqa: E402
from standins.slack.standin import SlackStandin  # noqa: E402

BOT_TOKEN = "xoxb-throughput-benchmark"  # noqa: S105 (accepted by the local stand-in only)
QUESTION = "Is there an API rate limit?"
BARE = "bare pipeline"

BARE_REPLY = "Thanks, we have your message."


@dataclass(frozen=True)
class Topology:
    name: str
    mode: str
    web: int
    processors: int


TOPOLOGIES = [
    Topology("1 web + 1 events", "worker", 1, 1),
    Topology("3 web + 3 events", "worker", 3, 3),
    Topology(BARE, "bare", 1, 0),
]
DEFAULT_TOPOLOGIES = [TOPOLOGIES[0].name, BARE]


@dataclass(frozen=True)
class Outcome:
    topology: Topology
    rate: float
    line: str


def _config(path: Path, channels: list[str]) -> Path:
    accounts = "".join(
        f"  - {{name: Bench {n}, channel: {channel}, tier: pro, language: en}}\n"
        for n, channel in enumerate(channels)
    )
    text_ = EXAMPLE_CONFIG.read_text().replace("accounts:", "accounts:\n" + accounts.rstrip(), 1)
    text_ = text_.replace("path: app/knowledge", f"path: {ROOT}/app/knowledge")
    path.write_text(text_)
    return path


def _rss_kb(pids: list[int]) -> int:
    """Resident memory of these processes and their children, in kB."""
    total = 0
    for pid in pids:
        for member in family(pid):
            try:
                for line in Path(f"/proc/{member}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except FileNotFoundError:
                continue
    return total


def _finished(database_url: str) -> tuple[int, int]:
    engine = create_engine(Settings(database_url=database_url).database_url)
    try:
        with engine.connect() as connection:
            done, failed = connection.execute(
                text(
                    "SELECT count(*) FILTER (WHERE status = 'done'),"
                    " count(*) FILTER (WHERE status = 'failed') FROM slack_events"
                )
            ).one()
    finally:
        engine.dispose()
    return int(done), int(failed)


def _reset(database_url: str) -> None:
    engine = create_engine(Settings(database_url=database_url).database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "TRUNCATE slack_events, triage_decisions, messages, conversations,"
                    " escalations RESTART IDENTITY CASCADE"
                )
            )
    finally:
        engine.dispose()


def _bare_table(database_url: str, *, keep: bool) -> int:
    """Create (``keep``) or drop the bare pipeline's one table; the rows it held."""
    engine = create_engine(Settings(database_url=database_url).database_url)
    try:
        with engine.begin() as connection:
            if keep:
                connection.execute(
                    text(
                        "CREATE TABLE IF NOT EXISTS bare_pipeline_events (event_id VARCHAR(64)"
                        " PRIMARY KEY, channel VARCHAR(32), ts VARCHAR(32), body TEXT)"
                    )
                )
                connection.execute(text("DELETE FROM bare_pipeline_events"))
                return 0
            rows = connection.execute(
                text("SELECT count(*) FROM bare_pipeline_events")
            ).scalar_one()
            connection.execute(text("DROP TABLE bare_pipeline_events"))
            return int(rows)
    finally:
        engine.dispose()


def run_bare_pipeline(port: int) -> None:
    """The bare pipeline: Bolt verifies the signature, the event is inserted into one table, one
    ``chat.postMessage`` reply goes to its thread; same WSGI front and gunicorn settings."""
    import json

    from slack_bolt import App
    from slack_sdk import WebClient

    from app.db.engine import make_engine
    from app.web.gunicorn_server import serve
    from app.web.wsgi import WsgiApp, create_wsgi_app

    settings = Settings()
    secret, token = settings.slack_signing_secret, settings.slack_bot_token
    assert secret is not None and token is not None
    insert = text(
        "INSERT INTO bare_pipeline_events (event_id, channel, ts, body)"
        " VALUES (:id, :channel, :ts, :body)"
    )

    def load() -> WsgiApp:
        engine = make_engine(settings.database_url)
        bolt = App(
            client=WebClient(token=token.get_secret_value(), base_url=settings.slack_api_url),
            signing_secret=secret.get_secret_value(),
            token_verification_enabled=False,
        )

        @bolt.event("message")
        def reply(body: dict[str, object], event: dict[str, str], client: WebClient) -> None:
            with engine.begin() as connection:
                connection.execute(
                    insert,
                    {
                        "id": body["event_id"],
                        "channel": event["channel"],
                        "ts": event["ts"],
                        "body": json.dumps(body),
                    },
                )
            client.chat_postMessage(
                channel=event["channel"], thread_ts=event["ts"], text=BARE_REPLY
            )

        return create_wsgi_app(bolt, engine=engine, signing_secret=secret.get_secret_value())

    serve(load, port=port, workers=settings.web_concurrency, threads=settings.web_threads)


def _database(args: argparse.Namespace, workdir: Path, topology: Topology) -> str:
    if args.database_url:
        return str(args.database_url)
    slug = "".join(c if c.isalnum() else "-" for c in topology.name)
    return f"sqlite:///{workdir / f'throughput-{slug}.db'}"


def _prepare(topology: Topology, database_url: str, env: dict[str, str], workdir: Path) -> None:
    """Migrate the app's schema (and empty it on PostgreSQL), or create the bare table."""
    if topology.mode == "bare":
        _bare_table(database_url, keep=True)
        return
    subprocess.run([sys.executable, "-m", "app", "db", "upgrade"], env=env, cwd=workdir, check=True)
    if database_url.startswith("postgresql"):
        _reset(database_url)


def run(topology: Topology, args: argparse.Namespace, workdir: Path) -> Outcome:
    standin = SlackStandin(bot_token=BOT_TOKEN).start()
    channels = [f"C0TP{n:05d}" for n in range(args.messages)]
    customers = []
    for n, channel in enumerate(channels):
        standin.add_channel(channel, f"ext-bench-{n}", is_ext_shared=True)
        user, team = f"U0TP{n:05d}", f"T0TP{n:05d}"
        standin.add_user(user, team_id=team, name=f"c{n}")
        customers.append((channel, user, team))
    secret = secrets.token_hex(16)
    database_url = _database(args, workdir, topology)
    env = {
        **_base_env(),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_API_URL": standin.url,
        "DATABASE_URL": database_url,
        "ESCALATION_CONFIG": str(_config(workdir / "bench.yml", channels)),
        "EVENT_PROCESSING": topology.mode if topology.mode != "bare" else "inline",
        "WEB_CONCURRENCY": "1",
        "WEB_THREADS": "8",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "XDG_RUNTIME_DIR": str(workdir),
    }
    _prepare(topology, database_url, env, workdir)

    def posted() -> int:
        return len([c for c in standin.calls_to("chat.postMessage") if c.ok])

    def finished() -> tuple[int, int]:
        if topology.mode == "bare":
            return posted(), 0
        return _finished(database_url)

    try:
        with ExitStack() as stack:
            ports, web_pids, events_pids = [], [], []
            for _ in range(topology.web):
                port = _free_port()
                command = (
                    [sys.executable, __file__, "--bare-pipeline", str(port)]
                    if topology.mode == "bare"
                    else [sys.executable, "-m", "app", "serve", "--port", str(port)]
                )
                web_pids.append(stack.enter_context(_running(command, env, port, workdir)).pid)
                ports.append(port)
            for n in range(topology.processors):
                command = [sys.executable, "-m", "app", "events"]
                events_pids.append(
                    stack.enter_context(background(command, env, workdir, f"events-{n}.log"))
                )
            time.sleep(3)  # let the processors connect and settle
            idle = (_rss_kb(web_pids[:1]), _rss_kb(events_pids[:1]))
            peak = list(idle)
            stop = threading.Event()

            def sample() -> None:
                while not stop.wait(0.5):
                    peak[0] = max(peak[0], _rss_kb(web_pids[:1]))
                    peak[1] = max(peak[1], _rss_kb(events_pids[:1]))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            senders = [
                SlackRequestSender(f"http://127.0.0.1:{port}/slack/events", secret)
                for port in ports
            ]

            def send(n: int) -> int:
                channel, user, team = customers[n]
                ts = standin.add_message(channel, user=user, text=QUESTION, team=team)
                sender = senders[n % len(senders)]
                return sender.message(channel, user, QUESTION, user_team=team, ts=ts).result.status

            cpu_before = cpu_seconds(web_pids + events_pids)
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=16) as pool:
                statuses = list(pool.map(send, range(args.messages)))
            sent_in = time.perf_counter() - started
            done, failed = _wait(finished, args.messages, args.timeout)
            elapsed = time.perf_counter() - started
            cpu = cpu_seconds(web_pids + events_pids) - cpu_before
            stop.set()
            sampler.join()
            posts = posted()
    finally:
        standin.stop()
    refused = sum(1 for s in statuses if s != 200)
    rate = args.messages / elapsed
    counts = f"done {done}, failed {failed}, refused {refused}, posts {posts}"
    if topology.mode == "bare":
        counts = f"stored {_bare_table(database_url, keep=False)}, refused {refused}, posts {posts}"
    memory = f"RSS of one web instance idle {idle[0] / 1024:.0f} MB, peak {peak[0] / 1024:.0f} MB"
    if topology.processors:
        memory += (
            f"; of one events process idle {idle[1] / 1024:.0f} MB, peak {peak[1] / 1024:.0f} MB"
        )
    line = (
        f"{topology.name:<26} {rate:6.1f} msg/s  "
        f"(sent in {sent_in:5.1f} s, all finished in {elapsed:5.1f} s; {counts})  "
        f"CPU of its processes {cpu * 1000 / args.messages:.1f} ms/message  {memory}"
    )
    return Outcome(topology, rate, line)


def _wait(
    finished: Callable[[], tuple[int, int]], messages: int, timeout: float
) -> tuple[int, int]:
    """Poll until every message finished (or ``timeout``); (done, failed)."""
    deadline = time.monotonic() + timeout
    while True:
        done, failed = finished()
        if done + failed >= messages or time.monotonic() > deadline:
            return done, failed
        time.sleep(0.1)


def _ratios(outcomes: list[Outcome]) -> list[str]:
    rates = {o.topology.name: o.rate for o in outcomes}
    apps = [o for o in outcomes if o.topology.mode != "bare"]
    lines = []
    if apps and BARE in rates:
        lines.append(f"ratio app / bare pipeline: {apps[0].rate / rates[BARE]:.2f}x")
    one, three = TOPOLOGIES[0].name, TOPOLOGIES[1].name
    if one in rates and three in rates:
        lines.append(f"scaling factor 3 / 1: {rates[three] / rates[one]:.2f}x")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--database-url", default=None, help="a PostgreSQL database to fill (default: SQLite)"
    )
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument(
        "--topologies",
        nargs="+",
        default=DEFAULT_TOPOLOGIES,
        choices=[t.name for t in TOPOLOGIES],
        help="what to run, in order (default: %(default)s)",
    )
    parser.add_argument("--bare-pipeline", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_pipeline is not None:
        run_bare_pipeline(args.bare_pipeline)
        return 0
    database = "PostgreSQL" if args.database_url else "SQLite (a temporary file)"
    print(f"{os.cpu_count()} cores; {database}; {args.messages} messages per topology", flush=True)
    outcomes = []
    with tempfile.TemporaryDirectory() as tmp:
        for topology in TOPOLOGIES:
            if topology.name in args.topologies:
                outcome = run(topology, args, Path(tmp))
                outcomes.append(outcome)
                print(outcome.line, flush=True)
    for line in _ratios(outcomes):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
