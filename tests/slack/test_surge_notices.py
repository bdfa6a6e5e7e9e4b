"""Customer notices in Slack: a lead starts the outage playbook, its announcement offers the
notice, only leads may send it, the worker posts it once per customer channel (a 429 is waited
out), and the leads hear the outcome."""

from __future__ import annotations

import json

from app.db.models import utcnow
from app.slack.client import build_web_client
from app.slack.surge_alerts import SlackSurgeAlerts
from app.slack.surge_notices import SlackNoticePoster
from app.worker.surge_jobs import send_surge_notices
from standins.local_slack import LocalSlack
from tests.slack.test_handoff import press
from tests.slack.test_surge import surge_command

CUSTOMER_CHANNELS = ("C0ACME", "C0GLOBEX", "C0INITECH")
LEADS = "C0LEADS"


def _bot_messages(slack: LocalSlack, channel: str) -> list[dict[str, object]]:
    return [m for m in slack.standin.messages_in(channel) if m.get("bot_id")]


def _run_worker(slack: LocalSlack) -> int:
    assert slack.runtime is not None
    client = build_web_client(slack.runtime.settings)
    return send_surge_notices(
        runtime=slack.runtime,
        poster=SlackNoticePoster(client),
        announcer=SlackSurgeAlerts(client, channel=LEADS),
        now=utcnow(),
    )


def test_a_lead_notifies_every_customer_channel_once(slack: LocalSlack) -> None:
    surge_command(slack, "start outage https://status.example.com Sync <b>is</b> delayed")
    [announcement] = slack.standin.wait_for(lambda: _bot_messages(slack, LEADS))
    assert "notify_surge_customers" in json.dumps(announcement["blocks"])

    press(slack, announcement, "notify_surge_customers", user="U0AGENT1", channel=LEADS)
    [refusal] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for("U0AGENT1"))
    assert "Only support leads" in refusal["text"]
    assert _run_worker(slack) == 0

    press(slack, announcement, "notify_surge_customers", user="U0LEAD1", channel=LEADS)
    [queued] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for("U0LEAD1"))
    assert "to 3 customer channels" in queued["text"]
    slack.standin.fail_next("chat.postMessage", status=429, channel="C0GLOBEX")
    assert _run_worker(slack) == 3
    assert any(not call.ok for call in slack.standin.calls_to("chat.postMessage"))  # the 429
    for channel in CUSTOMER_CHANNELS:
        [notice] = _bot_messages(slack, channel)
        assert "https://status.example.com" in str(notice["text"])
        assert "&lt;b&gt;is&lt;/b&gt;" in str(notice["text"])  # the lead's note is escaped
    report = [m for m in _bot_messages(slack, LEADS) if "customer notice" in str(m["text"])]
    assert len(report) == 1 and "posted in 3 of 3 channels" in str(report[0]["text"])

    # Asking again (command or button) posts nothing more.
    assert "already has the notice" in surge_command(slack, "notify")
    assert _run_worker(slack) == 0
    assert all(len(_bot_messages(slack, c)) == 1 for c in CUSTOMER_CHANNELS)


def test_notify_needs_a_running_playbook_with_a_notice(slack: LocalSlack) -> None:
    assert "No surge playbook is running" in surge_command(slack, "notify")
    assert "only support leads" in surge_command(slack, "notify", user="U0AGENT1")
    surge_command(slack, "start release")
    [announcement] = slack.standin.wait_for(lambda: _bot_messages(slack, LEADS))
    assert "notify_surge_customers" not in json.dumps(announcement.get("blocks"))
    assert "has no customer notice" in surge_command(slack, "notify")
