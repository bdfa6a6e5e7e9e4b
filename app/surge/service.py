"""Starting and stopping a surge playbook: one at a time per installation (team), each start
and stop taken once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.config_file import EscalationConfig
from app.db.models import Surge

MAX_TEXT = 500


@dataclass(frozen=True)
class SurgeChange:
    changed: bool
    notice: str
    surge_id: int | None = None


def active_surge(*, session: Session, team_id: str) -> Surge | None:
    """The installation's running surge, if any."""
    return session.exec(
        select(Surge)
        .where(col(Surge.team_id) == team_id, col(Surge.ended_at).is_(None))
        .order_by(col(Surge.id).desc())
    ).first()


def start_surge(
    *,
    session: Session,
    config: EscalationConfig,
    team_id: str,
    playbook: str,
    source: str,
    started_by: str | None,
    status_url: str | None,
    note: str | None,
    now: datetime,
) -> SurgeChange:
    if playbook not in config.surge.playbooks:
        known = ", ".join(sorted(config.surge.playbooks))
        return SurgeChange(False, f"Unknown playbook `{playbook[:40]}` (playbooks: {known}).")
    running = active_surge(session=session, team_id=team_id)
    if running is not None:
        return SurgeChange(
            False,
            f"The {running.playbook} playbook is already running (surge #{running.id}).",
            running.id,
        )
    surge = Surge(
        team_id=team_id,
        playbook=playbook,
        source=source,
        started_by=started_by,
        status_url=(status_url or None) and status_url[:MAX_TEXT],
        note=(note or None) and note[:MAX_TEXT],
        started_at=now,
    )
    session.add(surge)
    session.flush()
    return SurgeChange(True, f"Started the {playbook} playbook (surge #{surge.id}).", surge.id)


def stop_surge(
    *, session: Session, team_id: str, stopped_by: str | None, now: datetime
) -> SurgeChange:
    running = active_surge(session=session, team_id=team_id)
    if running is None:
        return SurgeChange(False, "No surge playbook is running.")
    result = session.execute(
        update(Surge)
        .where(col(Surge.id) == running.id, col(Surge.ended_at).is_(None))
        .values(ended_at=now, ended_by=stopped_by)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return SurgeChange(False, "It was just stopped by someone else.", running.id)
    return SurgeChange(True, f"Stopped the {running.playbook} playbook.", running.id)
