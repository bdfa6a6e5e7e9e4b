"""Account queries; accounts are synced from the config file, keyed by their channel."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, select

from app.config_file import AccountConfig
from app.db.models import Account, utcnow
from app.team_scope import SINGLE_WORKSPACE_TEAM_ID


def sync_accounts(
    *,
    session: Session,
    accounts: Iterable[AccountConfig],
    team_id: str = SINGLE_WORKSPACE_TEAM_ID,
) -> int:
    """Insert or update one row per configured account of the workspace ``team_id``; returns how
    many rows changed (a channel moved to another workspace's config moves its account)."""
    existing = {row.channel_id: row for row in session.exec(select(Account))}
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
        row = existing.get(cfg.channel)
        if row is None:
            session.add(Account(channel_id=cfg.channel, **values))
            changed += 1
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
            session.add(row)
            changed += 1
    session.flush()
    return changed


def account_for_channel(*, session: Session, channel_id: str) -> Account | None:
    """The account of a channel (a channel belongs to one account, of one workspace)."""
    return session.exec(select(Account).where(Account.channel_id == channel_id)).first()
