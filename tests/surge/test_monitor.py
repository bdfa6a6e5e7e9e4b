"""The worker's surge watch on a database: a burst across channels alerts once; a normal
window, a running playbook or the cool-down do not."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from app.config_file import AccountConfig, parse_config
from app.db.accounts import account_for_channel, sync_accounts
from app.db.conversations import add_message, open_conversation
from app.db.engine import session_scope
from app.db.models import utcnow
from app.surge.detector import SurgeSignal
from app.surge.monitor import SurgeWatch
from app.surge.service import active_surge, start_surge
from tests.test_config_file import VALID

CONFIG = parse_config(VALID)


class RecordedAlerts:
    """The Slack seam of the watch, recording what it would post."""

    def __init__(self) -> None:
        self.sent: list[tuple[list[SurgeSignal], int | None]] = []

    def alert(self, *, signals: list[SurgeSignal], started_surge_id: int | None) -> None:
        self.sent.append((signals, started_surge_id))


def messages_in_accounts(
    engine: Engine,
    *,
    at: datetime,
    channels: int,
    per_channel: int,
    tag: str,
    team_id: str = "single",
) -> None:
    """``per_channel`` customer messages at ``at`` in each of ``channels`` accounts (C0A0, ...)
    of the installation ``team_id``."""
    with session_scope(engine) as session:
        sync_accounts(
            session=session,
            accounts=[
                AccountConfig(name=f"A{i}", channel=f"C0A{i}", tier="pro") for i in range(channels)
            ],
            team_id=team_id,
        )
        for i in range(channels):
            account = account_for_channel(session=session, channel_id=f"C0A{i}")
            assert account is not None and account.id is not None
            for n in range(per_channel):
                conversation, _ = open_conversation(
                    session=session,
                    account_id=account.id,
                    channel_id=f"C0A{i}",
                    thread_ts=f"{tag}{i}.{n}",
                    customer_user_id="U0C",
                    customer_team_id="T0C",
                    team_id=team_id,
                )
                conversation.created_at = at
                message = add_message(
                    session=session,
                    conversation=conversation,
                    slack_ts=f"{tag}{i}.{n}",
                    author="customer",
                    text="the app is down",
                    user_id="U0C",
                    team_id="T0C",
                )
                assert message is not None
                message.created_at = at


def test_a_burst_alerts_once_and_a_normal_window_does_not(engine: Engine) -> None:
    now = utcnow()
    for week in range(1, 5):  # the usual level: 8 messages from 4 channels
        messages_in_accounts(
            engine,
            at=now - timedelta(weeks=week, minutes=2),
            channels=4,
            per_channel=2,
            tag=f"w{week}-",
        )
    watch, alerts = SurgeWatch(), RecordedAlerts()
    messages_in_accounts(
        engine, at=now - timedelta(minutes=2), channels=4, per_channel=2, tag="normal-"
    )
    assert watch.check(team_id="single", engine=engine, config=CONFIG, alerts=alerts, now=now) == []

    later = now + timedelta(minutes=10)
    messages_in_accounts(
        engine, at=later - timedelta(minutes=2), channels=8, per_channel=4, tag="burst-"
    )
    signals = watch.check(team_id="single", engine=engine, config=CONFIG, alerts=alerts, now=later)
    assert any(s.kind == "volume" for s in signals)
    assert len(alerts.sent) == 1 and alerts.sent[0][1] is None  # a lead decides
    # Still surging a minute later: no second alert inside the cool-down.
    watch.check(
        team_id="single",
        engine=engine,
        config=CONFIG,
        alerts=alerts,
        now=later + timedelta(minutes=1),
    )
    assert len(alerts.sent) == 1


def test_auto_start_and_a_running_playbook(engine: Engine) -> None:
    now = utcnow()
    messages_in_accounts(engine, at=now - timedelta(minutes=1), channels=6, per_channel=5, tag="b-")
    auto = parse_config(VALID + "surge: {detection: {auto_start: true}}\n")
    alerts = RecordedAlerts()
    SurgeWatch().check(team_id="single", engine=engine, config=auto, alerts=alerts, now=now)
    [(_signals, started)] = alerts.sent
    with session_scope(engine) as session:
        running = active_surge(team_id="single", session=session)
        assert running is not None and running.id == started and running.source == "auto"
    # While a playbook runs, the watch stays quiet.
    assert (
        SurgeWatch().check(team_id="single", engine=engine, config=auto, alerts=alerts, now=now)
        == []
    )


def test_only_one_playbook_at_a_time(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = start_surge(
            team_id="single",
            session=session,
            config=CONFIG,
            playbook="release",
            source="manual",
            started_by="U0LEAD1",
            status_url=None,
            note=None,
            now=utcnow(),
        )
        second = start_surge(
            team_id="single",
            session=session,
            config=CONFIG,
            playbook="outage",
            source="manual",
            started_by="U0LEAD1",
            status_url=None,
            note=None,
            now=utcnow(),
        )
    assert first.changed and not second.changed and "already running" in second.notice
