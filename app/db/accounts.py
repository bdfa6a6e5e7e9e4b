"""Account queries; accounts are synced from the config file, keyed by their channel."""

from __future__ import annotations

from collections.abc import Iterable

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

    One upsert for them all, so processes starting together with the same config never collide on
    the channel's unique key: a row that already holds these values is left untouched."""
    now = utcnow()
    rows = {
        cfg.channel: {
            "team_id": team_id,
            "name": cfg.name,
            "tier": cfg.tier,
            "language": cfg.language,
            "crm_id": cfg.crm_id,
            "arr": cfg.arr,
        }
        for cfg in accounts
    }
    columns = Account.__table__.c  # type: ignore[attr-defined]
    changed = 0
    items = list(rows.items())
    for start in range(0, len(items), _BATCH):
        statement = dialect_insert(session, Account).values(
            [
                {"channel_id": channel, "created_at": now, "updated_at": now, **values}
                for channel, values in items[start : start + _BATCH]
            ]
        )
        new = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=[columns.channel_id],
            set_={**{key: new[key] for key in _SYNCED_COLUMNS}, "updated_at": now},
            where=or_(*(columns[key].is_distinct_from(new[key]) for key in _SYNCED_COLUMNS)),
        )
        changed += len(session.execute(statement.returning(columns.id)).all())
    session.flush()
    return changed


_BATCH = 500  # accounts per statement (9 parameters each: within SQLite's limit on them)
_SYNCED_COLUMNS = ("team_id", "name", "tier", "language", "crm_id", "arr")


def account_for_channel(*, session: Session, channel_id: str) -> Account | None:
    """The account of a channel (a channel belongs to one account, of one workspace)."""
    return session.exec(select(Account).where(Account.channel_id == channel_id)).first()
