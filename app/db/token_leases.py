"""Leases that let one process at a time refresh an installation's rotating token.

Taking a lease is one conditional ``UPDATE ... WHERE holder IS NULL OR expires_at < now``: it
behaves the same on SQLite and PostgreSQL, and a process that dies while holding it only blocks
the others until the lease expires.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from app.db.engine import dialect_insert
from app.db.models import TokenRefreshLease, utcnow

LEASE_SECONDS = 30.0
POLL_SECONDS = 0.05


class LeaseTimeoutError(Exception):
    """Another process held the lease for longer than we were willing to wait."""


def _ensure_row(engine: Engine, key: str) -> None:
    statement = (
        dialect_insert(engine, TokenRefreshLease)
        .values(installation_key=key)
        .on_conflict_do_nothing()
    )
    with engine.begin() as connection:
        connection.execute(statement)


def try_take_lease(
    engine: Engine, *, key: str, holder: str, now: datetime, seconds: float = LEASE_SECONDS
) -> bool:
    """Take the lease on ``key`` unless someone else holds an unexpired one."""
    _ensure_row(engine, key)
    statement = (
        update(TokenRefreshLease)
        .where(col(TokenRefreshLease.installation_key) == key)
        .where(
            or_(
                col(TokenRefreshLease.holder).is_(None),
                col(TokenRefreshLease.holder) == holder,
                col(TokenRefreshLease.expires_at) < now,
            )
        )
        .values(holder=holder, expires_at=now + timedelta(seconds=seconds))
    )
    with engine.begin() as connection:
        return connection.execute(statement).rowcount == 1


def release_lease(engine: Engine, *, key: str, holder: str) -> None:
    statement = (
        update(TokenRefreshLease)
        .where(col(TokenRefreshLease.installation_key) == key)
        .where(col(TokenRefreshLease.holder) == holder)
        .values(holder=None, expires_at=None)
    )
    with engine.begin() as connection:
        connection.execute(statement)


@contextmanager
def held_lease(
    engine: Engine,
    *,
    key: str,
    wait_seconds: float = LEASE_SECONDS,
    clock: Callable[[], datetime] = utcnow,
) -> Iterator[None]:
    """Wait for and hold the lease on ``key`` for the duration of the block."""
    holder = uuid.uuid4().hex
    deadline = time.monotonic() + wait_seconds
    while not try_take_lease(engine, key=key, holder=holder, now=clock()):
        if time.monotonic() >= deadline:
            raise LeaseTimeoutError(f"token refresh lease {key!r} is busy")
        time.sleep(POLL_SECONDS)
    try:
        yield
    finally:
        release_lease(engine, key=key, holder=holder)
