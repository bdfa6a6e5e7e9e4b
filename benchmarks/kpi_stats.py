"""Time of the KPI report on a large history, against the bare SQL aggregates it is built on.

Run: ``python benchmarks/kpi_stats.py [CONVERSATIONS] [--database-url URL]`` from the repository
root. It seeds CONVERSATIONS conversations (default 1,000,000, about 15% escalated) over 180
days into a fresh database (a temporary SQLite file by default; a given URL must point to an
empty database), migrates it, then times ``compute_kpis`` for the last 90 days and the 90 days
before (overall segment, worst tier and area included) and the same SQL statements executed
directly, and prints both times and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.db.engine import make_engine
from app.db.schema import upgrade
from app.metrics.kpi_queries import KpiQueryContext, window_statements
from app.metrics.kpis import Segment, compute_kpis, window_for
from app.metrics.seed import seed_demo_data
from app.metrics.sql import AnySelect
from app.metrics.tables import CONVERSATIONS
from app.metrics.worst import worst_segment_statement
from app.triage.intents import DEFAULT_SKILL_MAP

NOW = datetime(2026, 6, 1, tzinfo=UTC)
REPEAT_DAYS = 14


def _best(run: Callable[[], Any], rounds: int) -> tuple[float, float]:
    """Best and median wall time of ``rounds`` runs (after one warm-up run)."""
    run()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def _executor(session: Session, statement: AnySelect) -> Callable[[], Any]:
    return lambda: session.execute(statement).all()


def _statements(dialect: str, days: int) -> dict[str, AnySelect]:
    current, previous = window_for(days, NOW)
    ctx = KpiQueryContext(
        dialect=dialect,
        segment=Segment(),
        repeat_days=REPEAT_DAYS,
        skill_of_intent=DEFAULT_SKILL_MAP,
    )
    statements = {f"current.{k}": v for k, v in window_statements(ctx, current).items()}
    statements |= {f"previous.{k}": v for k, v in window_statements(ctx, previous).items()}
    for dimension in ("tier", "area"):
        statements[f"worst.{dimension}"] = worst_segment_statement(
            current, dimension, skill_of_intent=DEFAULT_SKILL_MAP
        )
    return statements


def _seed(engine: Engine, conversations: int, seed: int, *, reuse: bool) -> None:
    upgrade(engine)
    with Session(engine) as session:
        existing = session.execute(select(func.count()).select_from(CONVERSATIONS)).scalar_one()
    if existing and reuse:
        print(f"reusing the {existing:,} conversations already in the database")
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        return
    if existing:
        raise SystemExit(
            f"the database already holds {existing} conversations: use an empty one, or --reuse"
        )
    started = time.perf_counter()
    summary = seed_demo_data(engine=engine, conversations=conversations, seed=seed, now=NOW)
    elapsed = time.perf_counter() - started
    print(
        f"seeded {summary.conversations:,} conversations, {summary.escalations:,} escalations, "
        f"{summary.csat_ratings:,} CSAT ratings, {summary.accounts:,} accounts "
        f"in {elapsed:.1f} s ({summary.conversations / max(elapsed, 1e-9):,.0f} conversations/s)"
    )
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def run(
    url: str, conversations: int, *, days: int, rounds: int, seed: int, reuse: bool = False
) -> None:
    engine = make_engine(url)
    try:
        _seed(engine, conversations, seed, reuse=reuse)
        dialect = engine.dialect.name
        current, previous = window_for(days, NOW)
        statements = _statements(dialect, days)
        with Session(engine) as session:

            def report() -> None:
                compute_kpis(
                    session=session,
                    current=current,
                    previous=previous,
                    segment=Segment(),
                    repeat_days=REPEAT_DAYS,
                    skill_of_intent=DEFAULT_SKILL_MAP,
                )

            def bare() -> None:
                for statement in statements.values():
                    session.execute(statement).all()

            per_statement = {
                name: _best(_executor(session, statement), rounds)[0]
                for name, statement in statements.items()
            }
            report_best, report_median = _best(report, rounds)
            bare_best, bare_median = _best(bare, rounds)
        print(f"\n{dialect}, {days}-day window and the one before, best of {rounds} runs:")
        for name, seconds in per_statement.items():
            print(f"  {name:<24} {seconds * 1000:9.1f} ms")
        print(
            f"compute_kpis         {report_best * 1000:9.1f} ms (median {report_median * 1000:.1f})"
        )
        print(f"bare SQL aggregates  {bare_best * 1000:9.1f} ms (median {bare_median * 1000:.1f})")
        print(f"ratio                {report_best / bare_best:9.2f}x")
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("conversations", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="an empty database (default: a temporary SQLite)")
    parser.add_argument("--days", type=int, default=90, help="the report window")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each measurement")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time a database this benchmark seeded before instead of refusing a non-empty one",
    )
    args = parser.parse_args(argv)
    if args.database_url:
        run(
            args.database_url,
            args.conversations,
            days=args.days,
            rounds=args.rounds,
            seed=args.seed,
            reuse=args.reuse,
        )
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'kpi_stats.db'}"
        run(url, args.conversations, days=args.days, rounds=args.rounds, seed=args.seed)


if __name__ == "__main__":
    main()
