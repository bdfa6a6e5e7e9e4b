"""Team alerts through the outbox: posted to the configured channel; a channel Slack refuses is
dead-lettered with Slack's error (visible in ``escalation-bot outbox list``)."""

from __future__ import annotations

import random

from sqlmodel import Session

from app.db.engine import session_scope
from app.db.models import utcnow
from app.db.outbox_table import OutboxEvent
from app.delivery.outbox import deliver_due
from app.integrations.alerts import KIND, alert_payload, enqueue_alert
from app.slack.client import build_web_client
from app.slack.team_alerts import SlackAlertSender
from standins.local_slack import LocalSlack


def _send(slack: LocalSlack, channel: str) -> OutboxEvent:
    assert slack.runtime is not None
    engine = slack.runtime.engine
    with session_scope(engine) as session:
        row = enqueue_alert(
            session=session,
            key=f"test:{channel}",
            payload=alert_payload(
                event="churn_signal", team_id="single", channel=channel, title="Churn signal"
            ),
        )
        outbox_id = row.id
    sender = SlackAlertSender(build_web_client(slack.runtime.settings))
    deliver_due(engine=engine, senders={KIND: sender}, now=utcnow(), rng=random.Random(1))
    with Session(engine) as session:
        stored = session.get(OutboxEvent, outbox_id)
        assert stored is not None
        return stored


def test_an_alert_is_posted_in_its_channel(slack: LocalSlack) -> None:
    row = _send(slack, "C0LEADS")
    [message] = [m for m in slack.standin.messages_in("C0LEADS") if m.get("bot_id")]
    assert row.status == "delivered" and row.external_id == f"C0LEADS:{message['ts']}"
    assert message["text"] == "Churn signal"


def test_a_channel_slack_refuses_is_dead_lettered_with_the_reason(slack: LocalSlack) -> None:
    row = _send(slack, "C0NOWHERE")
    assert row.status == "dead"
    assert "channel_not_found" in (row.last_error or "")
