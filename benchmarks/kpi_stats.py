"""Time of the KPI report on a large history, against bare SQL.

Run: ``python benchmarks/kpi_stats.py [CONVERSATIONS] [--database-url URL] [--reuse]`` from the
repository root. It seeds CONVERSATIONS conversations (default 1,000,000, about 15% escalated)
over the 180 days before 2026-06-01 into a fresh database (a temporary SQLite file by default; a
given URL must point to an empty database, or with ``--reuse`` to one this benchmark seeded
before), migrates it, then times what ``/escalation-stats 90d`` computes (``compute_kpis`` for
the last 90 days and the 90 days before, overall segment, worst tier and area), asked at 14:43
UTC so both windows have partial days at their edges. It prints, each the best of ROUNDS runs
after a warm-up:

* the report itself;
* the SQL statements the report ran, captured from the driver and replayed on a raw cursor
  (the report's overhead over its own SQL);
* the direct aggregates over the base tables, without the day rollup or the duration indexes
  (conversation counts and worst segments from ``conversations``, percentiles by sorting
  every duration of the window): the bare SQL answer to the same questions.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.db.engine import make_engine
from app.db.schema import upgrade
from app.intents import DEFAULT_SKILL_MAP
from app.metrics.kpi_queries import KpiQueryContext, window_statements
from app.metrics.kpis import Segment, compute_kpis, window_for
from app.metrics.sql import AnySelect
from app.metrics.tables import CONVERSATIONS
from app.metrics.worst import worst_segment_statement
from sandbox.seed import seed_demo_data

NOW = datetime(2026, 6, 1, tzinfo=UTC)  # the seeded history ends here
ASKED_AT = NOW - timedelta(hours=9, minutes=17)  # 14:43 UTC: windows with partial days
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


def direct_statements(dialect: str, days: int) -> dict[str, AnySelect]:
    """The KPIs of both windows and the worst segments as direct aggregates over the base
    tables (no day rollup; percentiles over every duration of the window)."""
    current, previous = window_for(days, ASKED_AT)
    ctx = KpiQueryContext(
        dialect=dialect,
        segment=Segment(),
        repeat_days=REPEAT_DAYS,
        skill_of_intent=DEFAULT_SKILL_MAP,
    )
    statements = {
        f"{name}.{k}": v
        for name, window in (("current", current), ("previous", previous))
        for k, v in window_statements(ctx, window, rolled_up=False).items()
    }
    for dimension in ("tier", "area"):
        statements[f"worst.{dimension}"] = worst_segment_statement(
            current, dimension, skill_of_intent=DEFAULT_SKILL_MAP, rolled_up=False
        )
    return statements


def _seed(engine: Engine, conversations: int, seed: int, *, reuse: bool) -> None:
    upgrade(engine)
    with Session(engine) as session:
        existing = session.execute(select(func.count()).select_from(CONVERSATIONS)).scalar_one()
    if existing and not reuse:
        raise SystemExit(
            f"the database already holds {existing} conversations: use an empty one, or --reuse"
        )
    if existing:
        print(f"reusing the {existing:,} conversations already in the database")
    else:
        started = time.perf_counter()
        summary = seed_demo_data(engine=engine, conversations=conversations, seed=seed, now=NOW)
        elapsed = time.perf_counter() - started
        print(
            f"seeded {summary.conversations:,} conversations, {summary.escalations:,} "
            f"escalations, {summary.csat_ratings:,} CSAT ratings, {summary.accounts:,} accounts "
            f"in {elapsed:.1f} s ({summary.conversations / max(elapsed, 1e-9):,.0f} "
            "conversations/s)"
        )
    # Statistics (and on PostgreSQL the visibility map autovacuum keeps) as in production.
    command = "ANALYZE" if engine.dialect.name == "sqlite" else "VACUUM ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(command))


class _Recorder:
    """The SQL statements and parameters a block of code sends to the driver."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[tuple[str, Any]] = []

    def __enter__(self) -> _Recorder:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        self.statements.append((statement, parameters))


def run(
    url: str, conversations: int, *, days: int, rounds: int, seed: int, reuse: bool = False
) -> None:
    engine = make_engine(url)
    try:
        _seed(engine, conversations, seed, reuse=reuse)
        dialect = engine.dialect.name
        current, previous = window_for(days, ASKED_AT)
        direct = direct_statements(dialect, days)
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

            with _Recorder(engine) as recorder:
                report()
            cursor = session.connection().connection.cursor()

            def replay() -> None:
                for statement, parameters in recorder.statements:
                    cursor.execute(statement, parameters)
                    cursor.fetchall()

            def bare() -> None:
                for statement in direct.values():
                    session.execute(statement).all()

            per_statement = {
                name: _best(_executor(session, statement), rounds)[0]
                for name, statement in direct.items()
            }
            report_best, report_median = _best(report, rounds)
            replay_best, replay_median = _best(replay, rounds)
            bare_best, bare_median = _best(bare, rounds)
        print(
            f"\n{dialect}, {days}-day window and the one before (asked at {ASKED_AT:%H:%M} UTC), "
            f"best of {rounds} runs (median in brackets)"
        )
        print("direct aggregates over the base tables, one by one:")
        for name, seconds in per_statement.items():
            print(f"  {name:<24} {seconds * 1000:9.1f} ms")
        rows = (
            ("compute_kpis (the report)", report_best, report_median),
            (f"its {len(recorder.statements)} SQL statements, bare", replay_best, replay_median),
            ("direct aggregates, bare", bare_best, bare_median),
        )
        for label, best, median in rows:
            print(f"{label:<34} {best * 1000:9.1f} ms ({median * 1000:.1f})")
        print(f"ratio report / its SQL bare        {report_best / replay_best:9.2f}x")
        print(f"ratio report / direct aggregates   {report_best / bare_best:9.2f}x")
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
    options: dict[str, Any] = {
        "days": args.days,
        "rounds": args.rounds,
        "seed": args.seed,
        "reuse": args.reuse,
    }
    if args.database_url:
        run(args.database_url, args.conversations, **options)
        return
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{Path(folder) / 'kpi_stats.db'}", args.conversations, **options)


if __name__ == "__main__":
    main()
