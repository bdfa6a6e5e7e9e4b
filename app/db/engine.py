"""The database engine: SQLite (WAL, busy timeout) by default, PostgreSQL in production."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Insert, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, SQLModel, create_engine

SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create the engine for ``url``; SQLite connections get WAL mode and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # No pre-ping (a round trip before every checkout, the largest part of a short transaction's
    # cost): a connection lost with a database restart fails its one operation and invalidates
    # the pool, and the next checkouts connect afresh.
    return create_engine(url, pool_size=10, max_overflow=10, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def dialect_insert(
    bind: Session | Connection | Engine, table: Any
) -> postgresql.Insert | sqlite.Insert:
    """``INSERT`` in the bind's own dialect, which knows ``ON CONFLICT`` (upserts that stay
    correct when several processes write the same row at once)."""
    if isinstance(bind, Session):
        bind = bind.get_bind()
    if bind.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_or_ignore(session: Session | Connection, table: Any) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` for the session's database: one statement that tells
    (with ``RETURNING``) whether the row is new, without a savepoint or an error."""
    return dialect_insert(session, table).on_conflict_do_nothing()


Row = TypeVar("Row", bound=SQLModel)


def add_once(session: Session, row: Row) -> Row | None:
    """Store ``row`` unless one of its unique keys is taken: one ``INSERT … ON CONFLICT DO
    NOTHING RETURNING`` its id (no savepoint, no lookup first). The row, now persistent in the
    session with the values it was given, or None when another row holds the key."""
    model = type(row)
    (key,) = inspect(model).primary_key
    values = {k: v for k, v in row.model_dump().items() if not (k == key.key and v is None)}
    statement = insert_or_ignore(session, model).values(**values).returning(key)
    stored = session.execute(statement).scalar()
    if stored is None:
        return None
    setattr(row, key.key, stored)
    make_transient_to_detached(row)
    session.add(row)
    return row


def unchanged(column: Any, read: Any) -> ColumnElement[bool]:
    """``column`` still holds the value ``read`` earlier (``IS NULL`` for None): the condition
    of an update that must not overwrite what another process wrote in between."""
    return column.is_(None) if read is None else column == read  # type: ignore[no-any-return]
