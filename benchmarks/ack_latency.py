"""Ack latency of ``POST /slack/events`` under load: this app against a bare Bolt app that acks.

Run: ``python benchmarks/ack_latency.py [--database-url URL] [--rates 200 500] [--seconds 20]
[--modes inline worker]`` from the repository root. It starts the local Slack stand-in, then, one
after the other:

* ``escalation-bot serve`` on a temporary SQLite file (and on ``--database-url`` when given: it
  must point to a PostgreSQL database this run may migrate and fill), once per
  ``EVENT_PROCESSING`` mode: ``inline`` (the web processes run triage and replies after the ack)
  and ``worker`` (they only verify, store and ack; ``escalation-bot events`` runs beside them on
  the same machine and does the work, unless ``--without-processor``);
* a bare Bolt app (``app.event("message")`` that does nothing, so Bolt only acks) behind the same
  WSGI front and the same gunicorn settings (``WEB_CONCURRENCY`` workers, ``WEB_THREADS``
  threads), with the same signing secret.

Each server gets signed ``message`` events (distinct ids, as Slack delivers new messages) at each
rate for the given seconds, open loop: a request is sent at its scheduled time over one of a
small pool of keep-alive ``http.client.HTTPConnection``s. The latency of a request is from its
scheduled send time to the end of the response, so a server that falls behind is charged for the
wait. It prints p50/p95/p99 per server and rate and the ratio app / bare Bolt.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import queue
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from standins.slack.standin import SlackStandin  # noqa: E402

BOT_TOKEN = "xoxb-ack-benchmark"  # noqa: S105 (accepted by the local stand-in only)
TEAM = "T0OURS"
CHANNEL = "C0ACME"
CUSTOMER, CUSTOMER_TEAM = "U0ACMEBENCH", "T0ACME"
EVENTS_PATH = "/slack/events"


@dataclass(frozen=True)
class Result:
    server: str
    rate: int
    sent: int
    errors: int
    latencies_ms: list[float]
    server_cpu_ms: float  # CPU time of the web processes per request (load-independent cost)

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _base_env() -> dict[str, str]:
    names = {name.upper() for name in Settings.model_fields}
    return {k: v for k, v in os.environ.items() if k not in names}


@contextmanager
def _running(
    command: list[str], env: dict[str, str], port: int, cwd: Path
) -> Iterator[subprocess.Popen[bytes]]:
    log = (cwd / f"server-{port}.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and script)
        command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    if response.status == 200:
                        break
            except (URLError, OSError):  # not listening yet, or still starting up
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.close()
                raise SystemExit(
                    f"server did not come up:\n{(cwd / f'server-{port}.log').read_text()}"
                )
            time.sleep(0.1)
        yield process
    finally:
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def background(command: list[str], env: dict[str, str], cwd: Path, log_name: str) -> Iterator[int]:
    """A process of ours beside the server, output to ``cwd/log_name``; yields its pid."""
    with (cwd / log_name).open("wb") as log:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=log)  # noqa: S603
        try:
            yield process.pid
        finally:
            _stop(process)


def family(pid: int) -> list[int]:
    """A process and its children (gunicorn's master and its workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [pid] + ([int(c) for c in children.read_text().split()] if children.exists() else [])


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by these processes and their children."""
    total = 0
    for pid in pids:
        for member in family(pid):
            try:
                fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def _signed_message(secret: str, bot_user: str) -> tuple[bytes, dict[str, str]]:
    ts = f"{time.time():.6f}"
    text = "Is there an API rate limit?"
    envelope: dict[str, Any] = {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "context_team_id": TEAM,
        "api_app_id": "A0BENCH",
        "type": "event_callback",
        "event_id": "Ev" + uuid.uuid4().hex[:12].upper(),
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": TEAM, "user_id": bot_user, "is_bot": True, "is_enterprise_install": False}
        ],
        "is_ext_shared_channel": True,
        "event": {
            "type": "message",
            "channel": CHANNEL,
            "user": CUSTOMER,
            "text": text,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "channel",
            "team": CUSTOMER_TEAM,
            "user_team": CUSTOMER_TEAM,
            "source_team": CUSTOMER_TEAM,
            "client_msg_id": str(uuid.uuid4()),
        },
    }
    body = json.dumps(envelope).encode()
    stamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }
    return body, headers


def drive(
    port: int, secret: str, bot_user: str, *, rate: int, seconds: float, connections: int
) -> tuple[int, int, list[float]]:
    """Send ``rate`` signed events per second for ``seconds``; (sent, errors, latencies in ms)."""
    total = int(rate * seconds)
    schedule: queue.Queue[float | None] = queue.Queue()
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    start = time.perf_counter() + 0.2
    for n in range(total):
        schedule.put(start + n / rate)
    for _ in range(connections):
        schedule.put(None)

    def worker() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while (due := schedule.get()) is not None:
            body, headers = _signed_message(secret, bot_user)
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            try:
                connection.request("POST", EVENTS_PATH, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
            elapsed = (time.perf_counter() - due) * 1000
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1
        connection.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return total, errors, latencies


def run_bare_app(port: int) -> None:
    """The bare Bolt app: only acks ``message`` events; same WSGI front and gunicorn settings."""
    from slack_bolt import App
    from slack_sdk import WebClient
    from sqlalchemy import create_engine

    from app.web.gunicorn_server import serve
    from app.web.wsgi import WsgiApp, create_wsgi_app

    settings = Settings()
    secret = settings.slack_signing_secret
    token = settings.slack_bot_token
    assert secret is not None and token is not None

    def load() -> WsgiApp:
        bolt = App(
            client=WebClient(token=token.get_secret_value(), base_url=settings.slack_api_url),
            signing_secret=secret.get_secret_value(),
            token_verification_enabled=False,
        )
        bolt.event("message")(lambda: None)
        return create_wsgi_app(
            bolt, engine=create_engine("sqlite://"), signing_secret=secret.get_secret_value()
        )

    serve(load, port=port, workers=settings.web_concurrency, threads=settings.web_threads)


def _servers(
    database_url: str | None, workdir: Path, modes: list[str]
) -> list[tuple[str, str | None, str]]:
    """(name, database URL or None for the bare app, EVENT_PROCESSING mode)."""
    servers: list[tuple[str, str | None, str]] = []
    for mode in modes:
        servers.append((f"sqlite/{mode}", f"sqlite:///{workdir / f'bench-{mode}.db'}", mode))
        if database_url:
            servers.append((f"postgres/{mode}", database_url, mode))
    servers.append(("bare bolt", None, "inline"))
    return servers


@contextmanager
def _processor(env: dict[str, str], workdir: Path, enabled: bool) -> Iterator[None]:
    """``escalation-bot events`` beside a ``worker``-mode server (same machine, same cores)."""
    if not enabled:
        yield
        return
    with background([sys.executable, "-m", "app", "events"], env, workdir, "events.log"):
        yield


def _backlog(database_url: str) -> str:
    """How the stored events ended: counts per status (shows nothing was dropped)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(Settings(database_url=database_url).database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT status, count(*) FROM slack_events GROUP BY status ORDER BY status")
            ).all()
    finally:
        engine.dispose()
    return ", ".join(f"{status} {count}" for status, count in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", default=None, help="also run the app on PostgreSQL")
    parser.add_argument("--rates", type=int, nargs="+", default=[200, 500])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--web-concurrency", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=8)
    parser.add_argument("--modes", nargs="+", default=["inline", "worker"])
    parser.add_argument(
        "--without-processor",
        action="store_true",
        help="worker mode without `escalation-bot events`: the cost of verify + store + ack",
    )
    parser.add_argument("--bare-app", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_app is not None:
        run_bare_app(args.bare_app)
        return 0

    secret = secrets.token_hex(16)
    standin = SlackStandin(bot_token=BOT_TOKEN).start()
    standin.add_channel(CHANNEL, "ext-acme", is_ext_shared=True)
    standin.add_user(CUSTOMER, team_id=CUSTOMER_TEAM, name="bench", real_name="Bench")
    bot_user = str(standin.workspace.bot_user_id)
    results: list[Result] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            for name, database_url, mode in _servers(args.database_url, workdir, args.modes):
                port = _free_port()
                env = {
                    **_base_env(),
                    "SLACK_BOT_TOKEN": BOT_TOKEN,
                    "SLACK_SIGNING_SECRET": secret,
                    "SLACK_API_URL": standin.url,
                    "WEB_CONCURRENCY": str(args.web_concurrency),
                    "WEB_THREADS": str(args.web_threads),
                    "LOG_LEVEL": "WARNING",
                    "PYTHONPATH": str(ROOT),
                    "XDG_RUNTIME_DIR": str(workdir),  # gunicorn's control socket, not in ~
                    "EVENT_PROCESSING": mode,
                }
                if database_url is None:
                    command = [sys.executable, __file__, "--bare-app", str(port)]
                else:
                    env["DATABASE_URL"] = database_url
                    subprocess.run(  # serve refuses an old PostgreSQL schema
                        [sys.executable, "-m", "app", "db", "upgrade"],
                        env=env,
                        cwd=workdir,
                        check=True,
                    )
                    if database_url.startswith("postgres"):
                        _clear_events(database_url)
                    command = [sys.executable, "-m", "app", "serve", "--port", str(port)]
                with_processor = mode == "worker" and database_url is not None
                with (
                    _running(command, env, port, workdir) as server,
                    _processor(env, workdir, with_processor and not args.without_processor),
                ):
                    drive(port, secret, bot_user, rate=50, seconds=1, connections=4)  # warm up
                    for rate in args.rates:
                        cpu_before = cpu_seconds([server.pid])
                        sent, errors, latencies = drive(
                            port,
                            secret,
                            bot_user,
                            rate=rate,
                            seconds=args.seconds,
                            connections=args.connections,
                        )
                        cpu = cpu_seconds([server.pid]) - cpu_before
                        result = Result(name, rate, sent, errors, latencies, cpu * 1000 / sent)
                        results.append(result)
                        print(_line(result), flush=True)
                if database_url is not None:
                    print(f"{'':<15} stored events: {_backlog(database_url)}", flush=True)
    finally:
        standin.stop()
    print(_summary(results, args.rates))
    return 0


def _clear_events(database_url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(Settings(database_url=database_url).database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM slack_events"))
    finally:
        engine.dispose()


def _line(result: Result) -> str:
    mean = statistics.fmean(result.latencies_ms) if result.latencies_ms else float("nan")
    return (
        f"{result.server:<15} {result.rate:>4}/s  sent {result.sent:>6}  errors {result.errors:>4}"
        f"  p50 {result.percentile(50):7.2f} ms  p95 {result.percentile(95):7.2f} ms"
        f"  p99 {result.percentile(99):7.2f} ms  mean {mean:7.2f} ms"
        f"  web CPU {result.server_cpu_ms:5.2f} ms/request"
    )


def _summary(results: list[Result], rates: list[int]) -> str:
    lines = ["", "ratio app / bare bolt (p50, p95, p99):"]
    bare = {r.rate: r for r in results if r.server == "bare bolt"}
    for result in results:
        base = bare.get(result.rate)
        if result.server == "bare bolt" or base is None:
            continue
        ratios = [
            result.percentile(p) / base.percentile(p) if base.percentile(p) else float("nan")
            for p in (50, 95, 99)
        ]
        lines.append(
            f"{result.server:<15} {result.rate:>4}/s  "
            + "  ".join(f"{ratio:5.2f}x" for ratio in ratios)
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
