"""Account queries; accounts are synced from the config file, keyed by their channel."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, select

from app.config_file import AccountConfig
from app.db.engine import dialect_insert
from app.db.models import Account, utcnow
from app.team_scope import SINGLE_WORKSPACE_TEAM_ID


def sync_accounts(
    *,
    session: Session,
    accounts: Iterable[AccountConfig],
    team_id: str = SINGLE_WORKSPACE_TEAM_ID,
) -> int:
    """Insert or update one row per configured account of the workspace ``team_id``; returns how
    many rows changed (a channel moved to another workspace's config moves its account).

    One upsert per account, so processes starting together with the same config never collide on
    the channel's unique key: a row that already holds these values is left untouched."""
    changed = 0
    for cfg in accounts:
        values: dict[str, Any] = {
            "team_id": team_id,
            "name": cfg.name,
            "tier": cfg.tier,
            "language": cfg.language,
            "crm_id": cfg.crm_id,
            "arr": cfg.arr,
        }
        now = utcnow()
        statement = dialect_insert(session, Account).values(
            channel_id=cfg.channel, created_at=now, updated_at=now, **values
        )
        columns = Account.__table__.c  # type: ignore[attr-defined]
        statement = statement.on_conflict_do_update(
            index_elements=[columns.channel_id],
            set_={**values, "updated_at": now},
            where=or_(*(columns[key].is_distinct_from(statement.excluded[key]) for key in values)),
        )
        result = session.execute(statement.returning(columns.id))
        changed += result.first() is not None
    session.flush()
    return changed


def account_for_channel(*, session: Session, channel_id: str) -> Account | None:
    """The account of a channel (a channel belongs to one account, of one workspace)."""
    return session.exec(select(Account).where(Account.channel_id == channel_id)).first()
