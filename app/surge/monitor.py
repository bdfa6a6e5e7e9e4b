"""The worker's surge watch: compare the last 5 minutes with the usual level, alert the leads
with a one-click start (or start the outage playbook itself with ``auto_start``), once per
surge."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.engine import Engine

from app.config_file import EscalationConfig
from app.db.engine import session_scope
from app.surge.detector import SurgeSignal, detect
from app.surge.service import active_surge, start_surge
from app.surge.volume import baseline_counts, window_counts

ALERT_COOLDOWN = timedelta(minutes=30)


class SurgeAlerts(Protocol):
    def alert(self, *, signals: list[SurgeSignal], started_surge_id: int | None) -> None: ...


class SurgeAnnouncer(Protocol):
    def announce(
        self, text: str, *, surge_id: int | None = None, offer_notice: bool = False
    ) -> None: ...


@dataclass
class SurgeWatch:
    """Remembers when it last alerted each installation (one worker process), so one surge
    gives one alert."""

    last_alerts: dict[str, datetime] = field(default_factory=dict)

    def check(
        self,
        *,
        engine: Engine,
        config: EscalationConfig,
        alerts: SurgeAlerts,
        team_id: str,
        now: datetime,
    ) -> list[SurgeSignal]:
        """Look at one installation's volume (its rows only) and alert its leads."""
        detection = config.surge.detection
        with session_scope(engine) as session:
            if active_surge(session=session, team_id=team_id) is not None:
                return []
            signals = detect(
                window_counts(session=session, end=now, team_id=team_id),
                baseline_counts(session=session, end=now, team_id=team_id),
                multiple=detection.multiple,
                min_messages=detection.min_messages,
                min_channels=detection.min_channels,
            )
        last_alert = self.last_alerts.get(team_id)
        if not signals or (last_alert and now - last_alert < ALERT_COOLDOWN):
            return signals
        started = None
        if detection.auto_start:
            with session_scope(engine) as session:
                change = start_surge(
                    session=session,
                    config=config,
                    team_id=team_id,
                    playbook="outage",
                    source="auto",
                    started_by=None,
                    status_url=None,
                    note=None,
                    now=now,
                )
                started = change.surge_id if change.changed else None
        alerts.alert(signals=signals, started_surge_id=started)
        self.last_alerts[team_id] = now
        return signals
