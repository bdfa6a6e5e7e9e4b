"""End-to-end throughput with offline triage on PostgreSQL, and the memory of a web process.

Run: ``python benchmarks/throughput.py --database-url URL [--messages 300]`` from the repository
root (URL: a PostgreSQL database this run may migrate and fill). It starts the local Slack
stand-in and a generated config with one customer account (and Slack Connect channel) per
message, so Slack's per-channel posting limit does not set the pace. For each topology:

* one web process (``serve``, ``WEB_CONCURRENCY=1``) and one ``escalation-bot events`` process
  (``EVENT_PROCESSING=worker``, 4 threads), then three of each;

it sends every message as a signed ``message`` event (16 senders in parallel), and measures the
messages per second from the first delivery to the last event finished (triaged, answered or
escalated, its reply or card posted on the stand-in), and the scaling factor of three processes
against one. (Inline processing is not measured here: a burst beyond its executor's bound, 16
running and 64 waiting per process, is left to the worker's two-minute stale-event sweep, so its
figure would measure that horizon.) It samples the resident memory (RSS) of one web instance
(gunicorn's master and its worker) and of one events process, idle before the load and at its
peak during it. Everything runs on this one machine.
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
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ack_latency import _base_env, _free_port, _running, background, family  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from app.config import EXAMPLE_CONFIG, Settings  # noqa: E402
from standins.slack.signed_requests import SlackRequestSender  # noqa: E402
from standins.slack.standin import SlackStandin  # noqa: E402

BOT_TOKEN = "xoxb-throughput-benchmark"  # noqa: S105 (accepted by the local stand-in only)
QUESTION = "Is there an API rate limit?"


@dataclass(frozen=True)
class Topology:
    name: str
    mode: str
    web: int
    processors: int


TOPOLOGIES = [
    Topology("1 web + 1 events", "worker", 1, 1),
    Topology("3 web + 3 events", "worker", 3, 3),
]


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


def run(topology: Topology, args: argparse.Namespace, workdir: Path) -> str:
    standin = SlackStandin(bot_token=BOT_TOKEN).start()
    channels = [f"C0TP{n:05d}" for n in range(args.messages)]
    customers = []
    for n, channel in enumerate(channels):
        standin.add_channel(channel, f"ext-bench-{n}", is_ext_shared=True)
        user, team = f"U0TP{n:05d}", f"T0TP{n:05d}"
        standin.add_user(user, team_id=team, name=f"c{n}")
        customers.append((channel, user, team))
    secret = secrets.token_hex(16)
    env = {
        **_base_env(),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_API_URL": standin.url,
        "DATABASE_URL": args.database_url,
        "ESCALATION_CONFIG": str(_config(workdir / "bench.yml", channels)),
        "EVENT_PROCESSING": topology.mode,
        "WEB_CONCURRENCY": "1",
        "WEB_THREADS": "8",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "XDG_RUNTIME_DIR": str(workdir),
    }
    subprocess.run([sys.executable, "-m", "app", "db", "upgrade"], env=env, cwd=workdir, check=True)
    _reset(args.database_url)
    try:
        with ExitStack() as stack:
            ports, web_pids, events_pids = [], [], []
            for _ in range(topology.web):
                port = _free_port()
                command = [sys.executable, "-m", "app", "serve", "--port", str(port)]
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

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=16) as pool:
                statuses = list(pool.map(send, range(args.messages)))
            sent_in = time.perf_counter() - started
            deadline = time.monotonic() + args.timeout
            while True:
                done, failed = _finished(args.database_url)
                if done + failed >= args.messages or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            elapsed = time.perf_counter() - started
            stop.set()
            sampler.join()
            posted = len([c for c in standin.calls_to("chat.postMessage") if c.ok])
    finally:
        standin.stop()
    refused = sum(1 for s in statuses if s != 200)
    return (
        f"{topology.name:<26} {args.messages / elapsed:6.1f} msg/s  "
        f"(sent in {sent_in:5.1f} s, all finished in {elapsed:5.1f} s; done {done}, "
        f"failed {failed}, refused {refused}, posts {posted})  "
        f"RSS of one web instance idle {idle[0] / 1024:.0f} MB, peak {peak[0] / 1024:.0f} MB; "
        f"of one events process idle {idle[1] / 1024:.0f} MB, peak {peak[1] / 1024:.0f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database to fill")
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument(
        "--topologies", nargs="+", default=[t.name for t in TOPOLOGIES], help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} cores; {args.messages} messages per topology", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for topology in TOPOLOGIES:
            if topology.name in args.topologies:
                print(run(topology, args, Path(tmp)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
