"""Customer notices in Slack: a lead starts the outage playbook, its announcement offers the
notice, only leads may send it, the lead's process posts it once per customer channel after the
ack (a 429 is waited out), the worker's outbox sweep posts what it left, and the leads hear the
outcome once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlmodel import Session, select

from app.conversations.intake import BotIdentity
from app.db.models import utcnow
from app.db.outbox_table import DELIVERING, OutboxEvent
from app.delivery.outcomes import PermanentError
from app.slack.client import build_web_client
from app.slack.surge_notices import SlackSurgeNoticeSender
from app.slack.workspaces import single_workspace
from app.surge.notices import KIND
from app.worker.outbox_jobs import deliver_outbox, outbox_senders
from standins.local_slack import LocalSlack
from standins.slack.standin import SlackStandin
from standins.slack.workspace import Workspace
from tests.slack.test_handoff import press
from tests.slack.test_surge import surge_command

CUSTOMER_CHANNELS = ("C0ACME", "C0GLOBEX", "C0INITECH")
LEADS = "C0LEADS"


def _bot_messages(slack: LocalSlack, channel: str) -> list[dict[str, object]]:
    return [m for m in slack.standin.messages_in(channel) if m.get("bot_id")]


def _run_worker(slack: LocalSlack, later: timedelta = timedelta(0)) -> int:
    """One pass of the worker's outbox sweep, ``later`` from now; how many it delivered."""
    assert slack.runtime is not None
    client = build_web_client(slack.runtime.settings)
    workspaces = single_workspace(slack.runtime, client, BotIdentity("T0OURS", "U0BOT"))
    senders = outbox_senders(slack.runtime, client)
    return deliver_outbox(slack.runtime, senders, workspaces, now=utcnow() + later)


def _settled(slack: LocalSlack) -> bool:
    """Every stored notice was attempted, and none is being posted."""
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        rows = session.exec(select(OutboxEvent).where(OutboxEvent.kind == KIND)).all()
    return len(rows) == 3 and all(r.attempts and r.status != DELIVERING for r in rows)


def _reports(slack: LocalSlack) -> list[str]:
    return [str(m["text"]) for m in _bot_messages(slack, LEADS) if "customer notice" in m["text"]]


def test_a_lead_notifies_every_customer_channel_once(slack: LocalSlack) -> None:
    surge_command(slack, "start outage https://status.example.com Sync <b>is</b> delayed")
    [announcement] = slack.standin.wait_for(lambda: _bot_messages(slack, LEADS))
    assert "notify_surge_customers" in json.dumps(announcement["blocks"])

    press(slack, announcement, "notify_surge_customers", user="U0AGENT1", channel=LEADS)
    [refusal] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for("U0AGENT1"))
    assert "Only support leads" in refusal["text"]
    assert _run_worker(slack) == 0

    slack.standin.fail_next("chat.postMessage", status=429, channel="C0GLOBEX")
    press(slack, announcement, "notify_surge_customers", user="U0LEAD1", channel=LEADS)
    [queued] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for("U0LEAD1"))
    assert "to 3 customer channels" in queued["text"]
    [report] = slack.standin.wait_for(lambda: _reports(slack))  # posted by the lead's process
    assert "posted in 3 of 3 channels" in report
    assert any(not call.ok for call in slack.standin.calls_to("chat.postMessage"))  # the 429
    for channel in CUSTOMER_CHANNELS:
        [notice] = _bot_messages(slack, channel)
        assert "https://status.example.com" in str(notice["text"])
        assert "&lt;b&gt;is&lt;/b&gt;" in str(notice["text"])  # the lead's note is escaped
    assert _run_worker(slack, later=timedelta(hours=1)) == 0  # nothing left for the sweep
    assert len(_reports(slack)) == 1

    # Asking again (command or button) posts nothing more.
    assert "already has the notice" in surge_command(slack, "notify")
    assert _run_worker(slack, later=timedelta(hours=1)) == 0
    assert all(len(_bot_messages(slack, c)) == 1 for c in CUSTOMER_CHANNELS)
    assert len(_reports(slack)) == 1


def test_the_outbox_sweep_posts_what_the_leads_process_could_not(slack: LocalSlack) -> None:
    surge_command(slack, "start outage https://status.example.com")
    slack.standin.wait_for(lambda: _bot_messages(slack, LEADS))
    # Slack is down for Globex for longer than the client's own retries.
    slack.standin.fail_next("chat.postMessage", status=503, times=3, channel="C0GLOBEX")
    slack.standin.fail_next(
        "chat.postMessage", status=200, error="is_archived", channel="C0INITECH"
    )
    assert "to 3 customer channels" in surge_command(slack, "notify")
    slack.standin.wait_for(lambda: _settled(slack))  # the command's process is done
    assert len(_bot_messages(slack, "C0ACME")) == 1
    assert _reports(slack) == []  # Globex is still to do
    assert _run_worker(slack) == 0  # backing off
    assert _run_worker(slack, later=timedelta(hours=1)) == 1
    assert len(_bot_messages(slack, "C0GLOBEX")) == 1 and _bot_messages(slack, "C0INITECH") == []
    [report] = _reports(slack)
    assert "posted in 2 of 3 channels" in report
    assert "<#C0INITECH> (Slack answered is_archived for channel C0INITECH)" in report
    assert _run_worker(slack, later=timedelta(hours=2)) == 0 and len(_reports(slack)) == 1


def test_notify_needs_a_running_playbook_with_a_notice(slack: LocalSlack) -> None:
    assert "No surge playbook is running" in surge_command(slack, "notify")
    assert "only support leads" in surge_command(slack, "notify", user="U0AGENT1")
    surge_command(slack, "start release")
    [announcement] = slack.standin.wait_for(lambda: _bot_messages(slack, LEADS))
    assert "notify_surge_customers" not in json.dumps(announcement.get("blocks"))
    assert "has no customer notice" in surge_command(slack, "notify")


@pytest.fixture
def wall_clock_slack() -> Iterator[SlackStandin]:
    """A Web API stand-in whose message timestamps follow the clock, as Slack's do."""
    with SlackStandin(workspace=Workspace(wall_clock_ts=True)) as running:
        running.add_channel("C0ACME", "acme-support")
        running.add_channel("C0GLOBEX", "globex-support")
        yield running


def test_a_later_attempt_finds_the_notice_an_earlier_one_posted(
    wall_clock_slack: SlackStandin,
) -> None:
    standin = wall_clock_slack
    sender = SlackSurgeNoticeSender(WebClient(token=standin.bot_token, base_url=standin.url))
    payload = {
        "team_id": "single",
        "surge_id": 1,
        "channel": "C0ACME",
        "requested_by": "U0LEAD1",
        "requested_at": utcnow().isoformat(),
        "text": "We know; updates at https://status.example.com",
    }
    first = sender.send_attempt(payload, "surge-notice:1:C0ACME", attempt=1)
    # its process died before recording it: the next attempt reads the channel, posts nothing
    again = sender.send_attempt(payload, "surge-notice:1:C0ACME", attempt=2)
    assert again == first
    assert len(standin.calls_to("chat.postMessage")) == 1
    assert len(standin.calls_to("conversations.history")) == 1
    standin.fail_next("chat.postMessage", status=200, error="not_in_channel")
    with pytest.raises(PermanentError, match="not_in_channel for channel C0GLOBEX"):
        sender.send_attempt(
            {**payload, "channel": "C0GLOBEX"}, "surge-notice:1:C0GLOBEX", attempt=1
        )
