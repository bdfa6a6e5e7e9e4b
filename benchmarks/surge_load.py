"""A surge, end to end: 1,000 customer messages from 50 channels within 60 s, 20% escalating.

Run: ``python benchmarks/surge_load.py [--database-url URL] [--messages 1000] [--channels 50]
[--seconds 60]`` from the repository root.

It starts the local Slack stand-in (strict Block Kit, one ``chat.postMessage`` per second per
channel, 429 with ``Retry-After`` beyond that), writes a config with ``--channels`` customer
accounts, seeds four weeks of ordinary traffic (the baseline the surge watch compares with), and
runs the real processes: ``escalation-bot serve`` (gunicorn) and ``escalation-bot worker``. It
then sends signed ``message`` events, open loop, spread evenly over ``--seconds``; every fifth
one asks for something only a person may handle (refund, cancellation, security, a human), the
others ask questions the knowledge base answers. Each request's ack latency runs from its
scheduled send time to the end of the response, so a server that falls behind is charged for it.

When the messages are in, it waits (up to ``--settle`` seconds) for the app to finish and then
checks, from the database rows and the stand-in's recorded calls:

* every event was acknowledged with HTTP 200 within Slack's 3 seconds (p50/p99/max printed);
* every message got exactly one bot reply in its thread (an answer or a hand-off): no lost and no
  duplicated replies, one conversation, one customer message and one decision per event;
* every escalation has exactly one card in its skill channel;
* the surge alert reached the leads channel.

It prints the figures and exits 1 if a check failed.
"""

from __future__ import annotations

import argparse
import json
import queue
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.config_file import load_config  # noqa: E402
from app.db.accounts import account_for_channel, sync_accounts  # noqa: E402
from app.db.conversations import add_message, open_conversation  # noqa: E402
from app.db.engine import make_engine, session_scope  # noqa: E402
from benchmarks.ack_latency import _base_env, _free_port, _running  # noqa: E402
from standins.slack.signed_requests import SlackRequestSender  # noqa: E402
from standins.slack.standin import SlackStandin  # noqa: E402

BOT_TOKEN = "xoxb-surge-benchmark"  # noqa: S105 (accepted by the local stand-in only)
TEAM = "T0OURS"
EVENTS_PATH = "/slack/events"
SLACK_ACK_SECONDS = 3.0
MAX_DELIVERIES = 4  # Slack delivers an event, then retries it up to three times
EXAMPLE_CONFIG = ROOT / "escalation.example.yml"

# Only a person may handle these (always-escalate intents), one per skill channel, so that no
# agent channel gets more than Slack's one message a second on average.
ESCALATING = (
    "I want a refund for the duplicate charge on our invoice",
    "We want to cancel our subscription at the end of the month",
    "We found a security vulnerability in your login page",
    "Please let me talk to a human, not a bot",
)
ANSWERED = (
    "Is there an API rate limit?",
    "How do I reset my password?",
    "How do I export my data to CSV?",
    "How do I invite a teammate to our workspace?",
)


@dataclass(frozen=True)
class Sent:
    channel: str
    ts: str
    escalating: bool
    status: int  # of the first delivery
    latency_ms: float  # of the first delivery, from its scheduled time
    redeliveries: int  # Slack's retries: the first try was not a 200 within 3 s
    delivered: bool  # some delivery got a 200 within 3 s


def customer_channel(n: int) -> str:
    return f"C0SURGE{n:03d}"


def customer_of(n: int) -> tuple[str, str]:
    return f"U0SURGE{n:03d}", f"T0CUST{n:03d}"


def write_config(workdir: Path, channels: int) -> Path:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    data["accounts"] = [
        {
            "name": f"Customer {n:03d}",
            "channel": customer_channel(n),
            "tier": ("pro", "free")[n % 2],
            "language": "en",
        }
        for n in range(channels)
    ]
    kb = (data.get("knowledge_base") or {}).get("path")
    if kb and not Path(kb).is_absolute():  # relative to the example file, not the copy
        data["knowledge_base"]["path"] = str((EXAMPLE_CONFIG.parent / kb).resolve())
    path = workdir / "escalation.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def seed_baseline(database_url: str, config_path: Path, start: datetime, seconds: float) -> int:
    """Four weeks of ordinary traffic around the same minutes: 12 messages per 5 minutes from
    six channels, so the watch has a usual level to compare the burst with."""
    config = load_config(config_path)
    engine = make_engine(database_url)
    seeded = 0
    try:
        with session_scope(engine) as session:
            sync_accounts(session=session, accounts=config.accounts)
            for week in range(1, 5):
                begin = start - timedelta(weeks=week, minutes=10)
                span = timedelta(minutes=20) + timedelta(seconds=seconds)
                count = int(12 * span.total_seconds() / 300)
                for i in range(count):
                    n = i % 6
                    account = account_for_channel(session=session, channel_id=customer_channel(n))
                    assert account is not None and account.id is not None
                    at = begin + span * i / count
                    thread = f"{at.timestamp():.6f}"
                    user, team = customer_of(n)
                    conversation, _ = open_conversation(
                        session=session,
                        account_id=account.id,
                        channel_id=customer_channel(n),
                        thread_ts=thread,
                        customer_user_id=user,
                        customer_team_id=team,
                    )
                    conversation.created_at = at
                    message = add_message(
                        session=session,
                        conversation=conversation,
                        slack_ts=thread,
                        author="customer",
                        text=ANSWERED[i % len(ANSWERED)],
                        user_id=user,
                        team_id=team,
                    )
                    assert message is not None
                    message.created_at = at
                    seeded += 1
    finally:
        engine.dispose()
    return seeded


def drive(
    sender: SlackRequestSender,
    *,
    messages: int,
    channels: int,
    seconds: float,
    connections: int,
) -> list[Sent]:
    """Send the messages on schedule, redelivering as Slack does when an ack is late."""
    schedule: queue.Queue[tuple[int, float] | None] = queue.Queue()
    start = time.perf_counter() + 0.5
    for n in range(messages):
        schedule.put((n, start + n * seconds / messages))
    for _ in range(connections):
        schedule.put(None)
    results: list[Sent] = []
    lock = threading.Lock()
    base_ts = time.time()

    def worker() -> None:
        while (item := schedule.get()) is not None:
            n, due = item
            channel_n = n % channels
            escalating = n % 5 == 0
            texts = ESCALATING if escalating else ANSWERED
            user, team = customer_of(channel_n)
            ts = f"{base_ts + n / 1000:.6f}"
            event_id = sender.new_event_id()
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            first: tuple[int, float] | None = None
            delivered, retry = False, 0
            for retry in range(MAX_DELIVERIES):
                sent_at = time.perf_counter()
                try:
                    status = sender.message(
                        customer_channel(channel_n),
                        user,
                        texts[(n // 5 if escalating else n) % len(texts)],
                        user_team=team,
                        ts=ts,
                        event_id=event_id,
                        retry_num=retry or None,
                    ).result.status
                except OSError:
                    status = 0
                took = time.perf_counter() - sent_at
                if first is None:
                    first = (status, (time.perf_counter() - due) * 1000)
                if status == 200 and took <= SLACK_ACK_SECONDS:
                    delivered = True
                    break
            assert first is not None
            sent = Sent(
                customer_channel(channel_n), ts, escalating, first[0], first[1], retry, delivered
            )
            with lock:
                results.append(sent)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


@dataclass
class Counts:
    events_done: int
    conversations: int
    customer_messages: int
    decisions: int
    decisions_replied: int
    escalated_decisions: int
    escalations: int
    cards_recorded: int


def count_rows(database_url: str) -> Counts:
    from sqlalchemy import text

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:

            def one(sql: str) -> int:
                return int(connection.execute(text(sql)).scalar_one())

            return Counts(
                events_done=one("SELECT count(*) FROM slack_events WHERE status = 'done'"),
                conversations=one("SELECT count(*) FROM conversations"),
                customer_messages=one("SELECT count(*) FROM messages WHERE author = 'customer'"),
                decisions=one("SELECT count(*) FROM triage_decisions"),
                decisions_replied=one(
                    "SELECT count(*) FROM triage_decisions WHERE reply_ts IS NOT NULL"
                ),
                escalated_decisions=one("SELECT count(*) FROM triage_decisions WHERE escalate"),
                escalations=one("SELECT count(*) FROM escalations"),
                cards_recorded=one("SELECT count(*) FROM escalations WHERE card_ts IS NOT NULL"),
            )
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", default=None, help="PostgreSQL (default: SQLite)")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--settle", type=float, default=240.0, help="max wait for the app")
    parser.add_argument("--web-concurrency", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=8)
    args = parser.parse_args(argv)

    secret = secrets.token_hex(16)
    standin = SlackStandin(bot_token=BOT_TOKEN).start()
    bot_user = str(standin.workspace.bot_user_id)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        config_path = write_config(workdir, args.channels)
        config = load_config(config_path)
        for n in range(args.channels):
            standin.add_channel(customer_channel(n), f"ext-customer-{n:03d}", is_ext_shared=True)
            user, team = customer_of(n)
            standin.add_user(user, team_id=team, name=f"customer{n}", real_name=f"Customer {n}")
        internal = {skill: cfg.channel for skill, cfg in config.skills.items()}
        internal |= {"overflow": config.overflow_channel, "leads": config.leads_channel}
        for name, channel in internal.items():
            standin.add_channel(channel, f"support-{name.replace('_', '-')}")
        for person in [a.user for a in config.agents] + list(config.leads):
            standin.add_user(person, team_id=TEAM, name=person.lower())

        database_url = args.database_url or f"sqlite:///{workdir / 'surge.db'}"
        port = _free_port()
        env = {
            **_base_env(),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": secret,
            "SLACK_API_URL": standin.url,
            "DATABASE_URL": database_url,
            "ESCALATION_CONFIG": str(config_path),
            "WEB_CONCURRENCY": str(args.web_concurrency),
            "WEB_THREADS": str(args.web_threads),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            "XDG_RUNTIME_DIR": str(workdir),
        }
        subprocess.run(
            [sys.executable, "-m", "app", "db", "upgrade"], env=env, cwd=workdir, check=True
        )
        started_at = datetime.now(UTC)
        seeded = seed_baseline(database_url, config_path, started_at, args.seconds)
        print(f"baseline: {seeded} messages seeded over the same minutes of four past weeks")
        serve = [sys.executable, "-m", "app", "serve", "--port", str(port)]
        worker_log = (workdir / "worker.log").open("wb")
        try:
            with _running(serve, env, port, workdir):
                worker = subprocess.Popen(
                    [sys.executable, "-m", "app", "worker"],
                    env=env | {"LOG_LEVEL": "INFO"},
                    cwd=workdir,
                    stdout=worker_log,
                    stderr=subprocess.STDOUT,
                )
                try:
                    sender = SlackRequestSender(
                        f"http://127.0.0.1:{port}{EVENTS_PATH}",
                        secret,
                        team_id=TEAM,
                        bot_user_id=bot_user,
                        timeout=30,
                    )
                    drive_started = time.monotonic()
                    sent = drive(
                        sender,
                        messages=args.messages,
                        channels=args.channels,
                        seconds=args.seconds,
                        connections=args.connections,
                    )
                    drove_s = time.monotonic() - drive_started
                    settled_s = settle(standin, database_url, config, sent, args.settle)
                finally:
                    worker.terminate()
                    worker.wait(timeout=30)
        finally:
            worker_log.close()
            standin.stop()
        for line in (workdir / "worker.log").read_text(errors="replace").splitlines():
            if "retried" in line or "not posted" in line:
                print("worker: " + line[-200:])
        for line in (workdir / f"server-{port}.log").read_text(errors="replace").splitlines():
            if " ERROR " in line:  # e.g. an event that failed and was left to the worker
                print("web: " + line[-200:])
        return report(standin, database_url, config, sent, seeded, drove_s, settled_s)


def _expected(sent: list[Sent]) -> tuple[int, int]:
    return len(sent), sum(1 for s in sent if s.escalating)


def _alerts(standin: SlackStandin, leads: str) -> list[dict[str, Any]]:
    return [
        m
        for m in standin.messages_in(leads)
        if m.get("bot_id") and "Possible surge" in str(m.get("text", ""))
    ]


def settle(
    standin: SlackStandin, database_url: str, config: Any, sent: list[Sent], limit: float
) -> float:
    """Seconds until every message is replied to, every card posted and the alert raised."""
    started = time.monotonic()
    total, _ = _expected(sent)
    while time.monotonic() - started < limit:
        counts = count_rows(database_url)
        if (
            counts.decisions_replied >= total
            and counts.cards_recorded >= counts.escalations
            and _alerts(standin, config.leads_channel)
        ):
            break
        time.sleep(2)
    return time.monotonic() - started


def report(
    standin: SlackStandin,
    database_url: str,
    config: Any,
    sent: list[Sent],
    seeded: int,
    drove_s: float,
    settled_s: float,
) -> int:
    total, escalating = _expected(sent)
    acked = [s.latency_ms for s in sent if s.status == 200]
    late = sum(1 for s in sent if s.status == 200 and s.latency_ms > SLACK_ACK_SECONDS * 1000)
    redelivered = sum(1 for s in sent if s.redeliveries)
    undelivered = sum(1 for s in sent if not s.delivered)
    counts = count_rows(database_url)
    customer_channels = {s.channel for s in sent}
    posts = [c for c in standin.calls_to("chat.postMessage") if c.ok]
    rate_limited = sum(1 for c in standin.calls_to("chat.postMessage") if c.status == 429)
    replies = Counter(
        (c.args.get("channel"), c.args.get("thread_ts"))
        for c in posts
        if c.args.get("channel") in customer_channels
    )
    sent_threads = {(s.channel, s.ts) for s in sent}
    skill_channels = {cfg.channel for cfg in config.skills.values()} | {config.overflow_channel}
    cards = [c for c in posts if c.args.get("channel") in skill_channels]
    alerts = _alerts(standin, config.leads_channel)

    checks = {
        "every event acked 200 (first delivery)": len(acked) == total,
        "every first ack within 3 s": late == 0,
        "every event acked within 3 s by some delivery": undelivered == 0,
        "one event row done per message": counts.events_done == total,
        "one conversation, message, decision per message": (
            counts.conversations - seeded == total and counts.decisions == total
        ),
        "every message replied once (no loss, no duplicate)": (
            set(replies) == sent_threads and all(n == 1 for n in replies.values())
        ),
        "escalated as sent (20%)": counts.escalated_decisions == counts.escalations == escalating,
        "every escalation has one card": (
            counts.cards_recorded == counts.escalations and len(cards) == counts.escalations
        ),
        "surge alert raised once": len(alerts) == 1,
    }
    print(f"messages sent: {total} from {len(customer_channels)} channels in {drove_s:.1f} s")
    print(
        f"ack latency: p50 {percentile(acked, 50):.1f} ms, p99 {percentile(acked, 99):.1f} ms, "
        f"max {max(acked, default=float('nan')):.1f} ms; over 3 s: {late}; "
        f"non-200: {total - len(acked)}; redelivered as Slack would: {redelivered}, "
        f"never acked in time: {undelivered}"
    )
    print(
        f"rows: events done {counts.events_done}, customer messages "
        f"{counts.customer_messages - seeded}, decisions {counts.decisions} "
        f"(replied {counts.decisions_replied}), escalations {counts.escalations} "
        f"(cards {counts.cards_recorded})"
    )
    print(
        f"Slack calls: thread replies {sum(replies.values())} in {len(replies)} threads, "
        f"cards {len(cards)}, 429s answered by the stand-in {rate_limited}, "
        f"surge alerts {len(alerts)}"
    )
    if alerts:
        print("alert: " + str(alerts[0].get("text", ""))[:300])
    for (channel, thread), n in sorted(replies.items()):
        if n > 1:
            times = [
                f"{c.time:.1f}"
                for c in posts
                if (c.args.get("channel"), c.args.get("thread_ts")) == (channel, thread)
            ]
            print(f"duplicate: {n} replies in {channel} thread {thread} at {', '.join(times)}")
    for channel, thread in sorted(sent_threads - set(replies)):
        print(f"lost: no reply in {channel} thread {thread}")
    card_ids = Counter(_card_escalation(c.args) for c in cards)
    for escalation_id, n in sorted(card_ids.items(), key=lambda item: str(item[0])):
        if n > 1:
            print(f"duplicate: {n} cards for escalation {escalation_id}")

    print(f"settled {settled_s:.1f} s after the last message")
    for name, ok in checks.items():
        print(f"[{'ok' if ok else 'FAILED'}] {name}")
    return 0 if all(checks.values()) else 1


def _card_escalation(args: dict[str, Any]) -> str | None:
    """The escalation id a card's buttons carry."""
    blocks = args.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    for block in blocks or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == "claim_escalation":
                return str(element.get("value"))
    return None


if __name__ == "__main__":
    raise SystemExit(main())
