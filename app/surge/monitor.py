"""The worker's surge watch: compare the last 5 minutes with the usual level, alert the leads
with a one-click start (or start the outage playbook itself with ``auto_start``), once per
surge."""

from __future__ import annotations

from dataclasses import dataclass
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
    """Remembers when it last alerted (one worker process), so one surge gives one alert."""

    last_alert: datetime | None = None

    def check(
        self, *, engine: Engine, config: EscalationConfig, alerts: SurgeAlerts, now: datetime
    ) -> list[SurgeSignal]:
        detection = config.surge.detection
        with session_scope(engine) as session:
            if active_surge(session=session) is not None:
                return []
            signals = detect(
                window_counts(session=session, end=now),
                baseline_counts(session=session, end=now),
                multiple=detection.multiple,
                min_messages=detection.min_messages,
                min_channels=detection.min_channels,
            )
        if not signals or (self.last_alert and now - self.last_alert < ALERT_COOLDOWN):
            return signals
        started = None
        if detection.auto_start:
            with session_scope(engine) as session:
                change = start_surge(
                    session=session,
                    config=config,
                    playbook="outage",
                    source="auto",
                    started_by=None,
                    status_url=None,
                    note=None,
                    now=now,
                )
                started = change.surge_id if change.changed else None
        alerts.alert(signals=signals, started_surge_id=started)
        self.last_alert = now
        return signals
