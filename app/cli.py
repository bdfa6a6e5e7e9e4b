"""``escalation-bot``: serve, worker, events, sandbox, demo, start, db upgrade|current, config
check."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from app.config import Settings, load_settings
from app.errors import StartupError
from app.logging_setup import configure_logging

logger = logging.getLogger("app.cli")

Handler = Callable[[argparse.Namespace, Settings], int]

#: The commands that run from a checkout of the repository only (see ``_checkout_command``).
CHECKOUT_COMMANDS = "sandbox.commands"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.log_level)
        return int(args.handler(args, settings))
    except StartupError as exc:
        print(f"escalation-bot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="escalation-bot", description="Slack-native support escalation bot"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve", help="run the bot (HTTP mode, or Socket Mode with SLACK_APP_TOKEN)"
    )
    serve.add_argument("--port", type=int, default=None, help="HTTP port (default: $PORT or 3000)")
    serve.set_defaults(handler=_serve)

    worker = commands.add_parser("worker", help="run the scheduler process (one instance)")
    worker.set_defaults(handler=_worker)

    events = commands.add_parser(
        "events", help="process the events web processes queued (EVENT_PROCESSING=worker)"
    )
    events.set_defaults(handler=_events)

    demo = commands.add_parser(
        "demo", help="a scripted conversation against a local Slack stand-in"
    )
    demo.set_defaults(handler=_from_checkout)

    sandbox = commands.add_parser(
        "sandbox", help="the app in a local Slack-like page in the browser (no Slack needed)"
    )
    sandbox.add_argument("--port", type=int, default=None, help="page port (default: $PORT)")
    sandbox.add_argument("--host", default="127.0.0.1", help="address to listen on")
    sandbox.set_defaults(handler=_from_checkout)

    start = commands.add_parser(
        "start", help="serve with Slack credentials, else open the local sandbox"
    )
    start.set_defaults(handler=_start)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply migrations").set_defaults(handler=_db_upgrade)
    db_commands.add_parser("current", help="print the schema revision").set_defaults(
        handler=_db_current
    )

    triage = commands.add_parser(
        "triage", help="JSON lines on stdin ({text, tier, channel}) -> signals and decision"
    )
    triage.add_argument("--openai", action="store_true", help="use OpenAI when configured")
    triage.set_defaults(handler=_triage)

    replay = commands.add_parser(
        "replay",
        help="escalation rates before and after --set (and --mode) changes, on a file or on the "
        "last --days of stored history",
    )
    replay.add_argument(
        "file", type=Path, nargs="?", default=None, help="JSON lines of past messages"
    )
    replay.add_argument(
        "--days",
        type=int,
        default=None,
        metavar="N",
        help="replay the customer messages triaged in the last N days (DATABASE_URL) instead",
    )
    replay.add_argument(
        "--team", default=None, help="with --days: one installation's team id (default: all)"
    )
    replay.add_argument(
        "--mode",
        dest="modes",
        action="append",
        default=[],
        metavar="CHANNEL=MODE",
        help="with --days: a channel switched to answer, triage or off (repeatable)",
    )
    replay.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a policy override, e.g. policy.sentiment.threshold=-0.5 (repeatable)",
    )
    replay.set_defaults(handler=_replay)

    evaluate = commands.add_parser("eval", help="intent accuracy and escalation recall")
    evaluate.add_argument(
        "file", type=Path, help="labelled JSON lines {text, intent, must_escalate}"
    )
    evaluate.add_argument(
        "--questions",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="knowledge-base questions {text, article} to measure answers and calibration on "
        "(repeatable; default with the sample knowledge base: its training and held-out sets)",
    )
    evaluate.add_argument(
        "--chatter",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="chatter and near-chatter requests {text, chatter: bool} (repeatable; "
        "default: the shipped held-out set)",
    )
    evaluate.add_argument(
        "--backend",
        choices=("offline", "openai"),
        default="offline",
        help="the triage backend to measure (openai: OPENAI_API_KEY, OPENAI_MODEL and, for any "
        "other OpenAI-compatible server, OPENAI_BASE_URL)",
    )
    evaluate.set_defaults(handler=_eval)

    calibrate = commands.add_parser(
        "calibrate", help="fit the answer confidence on labelled knowledge-base questions"
    )
    calibrate.add_argument("questions", type=Path, help="JSON lines {text, article: slug|null}")
    calibrate.add_argument("--out", type=Path, required=True, help="the model file to write (JSON)")
    calibrate.set_defaults(handler=_calibrate)

    stats = commands.add_parser("stats", help="the five escalation KPIs as CSV or JSON")
    stats.add_argument("--since", default="30d", help="window, e.g. 7d, 30d, 90d (default 30d)")
    stats.add_argument("--format", choices=("csv", "json"), default="csv")
    stats.add_argument("--tier", choices=("free", "pro", "enterprise"), default=None)
    stats.add_argument("--area", default=None, help="a skill or an intent")
    stats.add_argument(
        "--team", default=None, help="one installation's team id (default: every workspace)"
    )
    stats.set_defaults(handler=_stats)

    seed = commands.add_parser("seed-demo-data", help="fill the database with generated history")
    seed.add_argument("--conversations", type=int, default=10_000)
    seed.add_argument("--seed", type=int, default=7)
    seed.set_defaults(handler=_from_checkout)

    surge_report = commands.add_parser("surge-report", help="print a surge's review")
    surge_report.add_argument("surge_id", type=int)
    surge_report.set_defaults(handler=_surge_report)

    outbox = commands.add_parser(
        "outbox", help="deliveries waiting in the outbox (Slack posts, tools)"
    )
    outbox_commands = outbox.add_subparsers(dest="outbox_command", required=True)
    outbox_list = outbox_commands.add_parser("list", help="list events (e.g. --status dead)")
    outbox_list.add_argument(
        "--status", choices=("pending", "delivering", "delivered", "dead"), default=None
    )
    outbox_list.set_defaults(handler=_outbox_list)
    outbox_retry = outbox_commands.add_parser("retry", help="send a dead event again")
    outbox_retry.add_argument("outbox_id", type=int)
    outbox_retry.set_defaults(handler=_outbox_retry)

    config = commands.add_parser("config", help="the config file")
    config_commands = config.add_subparsers(dest="config_command", required=True)
    config_commands.add_parser("check", help="validate ESCALATION_CONFIG").set_defaults(
        handler=_config_check
    )
    return parser


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from app.runtime import bootstrap, check_startup

    settings.require_slack()
    if args.port is not None:
        settings = settings.model_copy(update={"port": args.port})
    if settings.socket_mode:
        from app.slack.socket_mode import run_socket_mode

        run_socket_mode(bootstrap(settings))
        return 0
    # Checks everything and upgrades the schema once, up front; the triage models are loaded
    # by the processes that serve, not by gunicorn's master.
    check_startup(settings)
    from app.web.gunicorn_server import serve
    from app.web.loader import load_wsgi_app

    logger.info("serving HTTP on port %d", settings.port)
    serve(
        lambda: load_wsgi_app(settings),
        port=settings.port,
        workers=settings.web_concurrency,
        threads=settings.web_threads,
    )
    return 0


def _worker(_args: argparse.Namespace, settings: Settings) -> int:
    from app.runtime import bootstrap
    from app.slack.client import build_web_client
    from app.worker.scheduler import run_worker

    settings.require_slack()
    runtime = bootstrap(settings)
    run_worker(runtime, build_web_client(settings))
    return 0


def _events(_args: argparse.Namespace, settings: Settings) -> int:
    import signal
    import threading

    from app.runtime import bootstrap
    from app.slack.client import build_web_client
    from app.worker.event_processor import run_event_processor

    settings.require_slack()
    runtime = bootstrap(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # finish the events in hand, then exit
    run_event_processor(runtime, build_web_client(settings), stop=stop)
    return 0


def _from_checkout(args: argparse.Namespace, settings: Settings) -> int:
    return _checkout_command(args.command)(args, settings)


def _checkout_command(name: str) -> Handler:
    """The plugin hook: a command of the checkout's ``sandbox`` package (demo, sandbox,
    seed-demo-data), looked up by name in its ``COMMANDS`` when it runs.

    The package sits beside ``app`` in a checkout of the repository (``make install`` puts the
    checkout on the venv's path) and is not in the wheel: installed from it, the command says so.
    """
    try:
        plugin = importlib.import_module(CHECKOUT_COMMANDS)
    except ModuleNotFoundError as exc:
        if exc.name not in ("sandbox", CHECKOUT_COMMANDS):
            raise
        raise StartupError(
            f"`escalation-bot {name}` runs from a checkout of the repository (`make run`), "
            "with the sandbox; this installation has the bot only"
        ) from None
    handler: Handler = plugin.COMMANDS[name]
    return handler


def _start(args: argparse.Namespace, settings: Settings) -> int:
    args.port = None
    if settings.has_slack_credentials:
        return _serve(args, settings)
    sandbox = _checkout_command("sandbox")
    print("No SLACK_BOT_TOKEN set: opening the local sandbox (no Slack needed).")
    args.host = "127.0.0.1"
    return sandbox(args, settings)


def _db_upgrade(_args: argparse.Namespace, settings: Settings) -> int:
    from app.db.engine import make_engine
    from app.db.schema import current_revision, upgrade

    engine = make_engine(settings.database_url)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    print(f"database schema: {before or 'empty'} -> {after}")
    engine.dispose()
    return 0


def _db_current(_args: argparse.Namespace, settings: Settings) -> int:
    from app.db.engine import make_engine
    from app.db.schema import current_revision, head_revision

    engine = make_engine(settings.database_url)
    current = current_revision(engine)
    head = head_revision()
    state = "up to date" if current == head else f"behind (latest is {head})"
    print(f"database schema: {current or 'empty'}, {state}")
    engine.dispose()
    return 0 if current == head else 1


def _operator_context(settings: Settings, *, use_openai: bool = False) -> tuple[Any, Any]:
    from app.config_file import load_config
    from app.triage.factory import build_triage_engine

    config = load_config(settings.escalation_config)
    return config, build_triage_engine(settings, config, offline_only=not use_openai)


def _triage(args: argparse.Namespace, settings: Settings) -> int:
    from app.operator_commands import run_triage

    config, engine = _operator_context(settings, use_openai=args.openai)
    refused = run_triage(sys.stdin, sys.stdout, engine=engine, config=config)
    return 1 if refused else 0


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    from app.operator_commands import InputError, run_replay
    from app.policy.overrides import OverrideError

    if (args.file is None) == (args.days is None):
        raise StartupError("replay needs exactly one of FILE or --days N")
    if args.days is not None and args.days < 1:
        raise StartupError("--days must be at least 1")
    if args.file is not None and (args.modes or args.team):
        raise StartupError("--mode and --team replay stored history: use them with --days N")
    config, engine = _operator_context(settings)
    try:
        if args.file is not None:
            run_replay(args.file, args.overrides, sys.stdout, engine=engine, config=config)
        else:
            _replay_history(args, settings, config, engine)
    except (InputError, OverrideError, OSError) as exc:
        raise StartupError(str(exc)) from None
    return 0


def _replay_history(args: argparse.Namespace, settings: Settings, config: Any, engine: Any) -> None:
    from datetime import timedelta

    from app.db.engine import session_scope
    from app.db.models import utcnow
    from app.db.triage_history import triaged_messages
    from app.operator_commands import run_history_replay

    since = utcnow() - timedelta(days=args.days)
    with _database(settings) as database, session_scope(database) as session:
        messages = triaged_messages(session=session, since=since, team_id=args.team)
    run_history_replay(
        messages,
        args.overrides,
        args.modes,
        sys.stdout,
        engine=engine,
        config=config,
        days=args.days,
        team_id=args.team,
    )


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from app.knowledge import SAMPLE_KB_PATH
    from app.knowledge.calibration import HELDOUT_QUESTIONS_PATH, TRAINING_QUESTIONS_PATH
    from app.operator_commands import InputError, run_eval
    from app.triage.chatter_evaluation import CHATTER_HELDOUT_PATH
    from app.triage.factory import build_knowledge_index

    use_openai = args.backend == "openai"
    if use_openai and settings.openai_api_key is None:
        raise StartupError(
            "eval --backend openai needs OPENAI_API_KEY (any value for a local server that "
            "takes none), OPENAI_MODEL, and OPENAI_BASE_URL for a server other than OpenAI's "
            "(e.g. http://localhost:11434/v1 for Ollama)"
        )
    config, engine = _operator_context(settings, use_openai=use_openai)
    index = build_knowledge_index(config) if use_openai else None
    endpoint = (settings.openai_base_url or "https://api.openai.com/v1") if use_openai else None
    questions = [(str(path), path) for path in args.questions]
    if not questions and config.knowledge_base.path == SAMPLE_KB_PATH.resolve():
        questions = [
            ("sample questions, calibrated on", TRAINING_QUESTIONS_PATH),
            ("held-out questions, never calibrated on", HELDOUT_QUESTIONS_PATH),
        ]
    chatter = [(str(path), path) for path in args.chatter] or [
        ("held-out, never tuned on", CHATTER_HELDOUT_PATH)
    ]
    try:
        run_eval(
            args.file,
            sys.stdout,
            engine=engine,
            config=config,
            questions=questions,
            chatter=chatter,
            index=index,
            endpoint=endpoint,
        )
    except (InputError, OSError) as exc:
        raise StartupError(str(exc)) from None
    finally:
        close = getattr(engine, "close", None)
        if callable(close):
            close()
    return 0


def _calibrate(args: argparse.Namespace, settings: Settings) -> int:
    from app.config_file import load_config
    from app.operator_commands import InputError, run_calibrate
    from app.triage.factory import build_knowledge_index

    index = build_knowledge_index(load_config(settings.escalation_config))
    try:
        run_calibrate(args.questions, args.out, sys.stdout, index=index)
    except (InputError, OSError) as exc:
        raise StartupError(str(exc)) from None
    return 0


def _stats(args: argparse.Namespace, settings: Settings) -> int:
    from app.config_file import load_config
    from app.db.engine import session_scope
    from app.db.models import utcnow
    from app.metrics.export import render_csv, render_json
    from app.metrics.report import kpi_report, stats_areas
    from app.metrics.stats_query import StatsArgumentError, parse_stats_query

    config = load_config(settings.escalation_config)
    if args.team:
        config = config.for_team(args.team)
    text = " ".join(
        part
        for part in (
            args.since,
            f"tier:{args.tier}" if args.tier else "",
            f"area:{args.area}" if args.area else "",
        )
        if part
    )
    try:
        query = parse_stats_query(text, areas=stats_areas(config))
    except StatsArgumentError as exc:
        raise StartupError(str(exc).replace("`", "")) from None
    assert query is not None
    with _database(settings) as engine, session_scope(engine) as session:
        report = kpi_report(
            session=session, config=config, query=query, now=utcnow(), team_id=args.team
        )
    sys.stdout.write(render_csv(report) if args.format == "csv" else render_json(report) + "\n")
    return 0


def _surge_report(args: argparse.Namespace, settings: Settings) -> int:
    from app.db.engine import session_scope
    from app.db.models import Surge, utcnow
    from app.surge.review import render_review, review_surge

    with _database(settings) as engine, session_scope(engine) as session:
        surge = session.get(Surge, args.surge_id)
        if surge is None:
            raise StartupError(f"no surge #{args.surge_id}")
        review = review_surge(session=session, surge=surge, now=utcnow())
    print(render_review(review))
    return 0


def _outbox_list(args: argparse.Namespace, settings: Settings) -> int:
    from app.integrations.commands import list_outbox

    with _database(settings) as engine:
        print(list_outbox(engine=engine, status=args.status))
    return 0


def _outbox_retry(args: argparse.Namespace, settings: Settings) -> int:
    from app.integrations.commands import retry_outbox

    with _database(settings) as engine:
        print(retry_outbox(engine=engine, outbox_id=args.outbox_id))
    return 0


@contextmanager
def _database(settings: Settings) -> Iterator[Engine]:
    """The database of an operator command, at the current schema (refused otherwise)."""
    from app.db.engine import make_engine
    from app.db.schema import ensure_schema

    engine = make_engine(settings.database_url)
    try:
        ensure_schema(engine, auto_upgrade=False)
        yield engine
    finally:
        engine.dispose()


def _config_check(_args: argparse.Namespace, settings: Settings) -> int:
    from app.config_file import load_config

    config = load_config(settings.escalation_config)
    print(
        f"{settings.escalation_config}: ok ({len(config.accounts)} accounts, "
        f"{len(config.skills)} skills, {len(config.agents)} agents)"
    )
    for team_id, workspace in config.workspaces.items():
        print(
            f"  workspace {team_id}: {len(workspace.accounts)} accounts, "
            f"{len(workspace.skills)} skills, {len(workspace.agents)} agents"
        )
    return 0
