"""The ``escalation-bot`` commands that run from a checkout: ``demo``, ``sandbox`` (what ``start``
opens without Slack credentials) and ``seed-demo-data``.

``app.cli`` looks them up in :data:`COMMANDS` by name when one of them runs; the product package
never imports this one. Each takes the parsed arguments and the settings and returns the exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping

from app.config import Settings
from app.errors import StartupError
from app.logging_setup import configure_logging


def demo(_args: argparse.Namespace, settings: Settings) -> int:
    from sandbox.demo import run_demo

    configure_logging("WARNING")  # the transcript is the output
    return run_demo(settings, out=sys.stdout)


def open_sandbox(args: argparse.Namespace, settings: Settings) -> int:
    from sandbox.server import run_sandbox

    port = settings.port if args.port is None else args.port
    return run_sandbox(settings, port=port, host=args.host, out=sys.stdout)


def seed_demo_data(args: argparse.Namespace, settings: Settings) -> int:
    from app.db.engine import make_engine
    from app.db.models import utcnow
    from app.db.schema import ensure_schema
    from sandbox.seed import seed_demo_data as seed

    if args.conversations < 1:
        raise StartupError("--conversations must be at least 1")
    engine = make_engine(settings.database_url)
    try:
        ensure_schema(engine, auto_upgrade=engine.dialect.name == "sqlite")
        summary = seed(
            engine=engine, conversations=args.conversations, seed=args.seed, now=utcnow()
        )
    finally:
        engine.dispose()
    print(summary)
    return 0


COMMANDS: Mapping[str, Callable[[argparse.Namespace, Settings], int]] = {
    "demo": demo,
    "sandbox": open_sandbox,
    "seed-demo-data": seed_demo_data,
}
