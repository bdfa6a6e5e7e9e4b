"""EVENT_PROCESSING=worker with two workspaces installed: web processes store and ack, and
``escalation-bot events`` processes each stored event with the installation it was authorized
for (its token, config and rows)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.db.engine import session_scope
from app.db.events import store_event
from app.slack.workspaces import installation_of
from app.worker.event_processor import EventProcessor
from standins.local_slack import LocalSlack
from standins.slack.signed_requests import SentMessage
from tests.slack.conftest import Rows
from tests.slack.oauth.conftest import installed_twice


@pytest.fixture
def queued_workspaces(database_url: str, tmp_path: Path) -> Iterator[LocalSlack]:
    with installed_twice(database_url, tmp_path, event_processing="worker") as local:
        yield local


def _customer_says(slack: LocalSlack, channel: str, text: str, *, installation: str) -> SentMessage:
    """A customer posts; Slack delivers the event for ``installation`` (acknowledged, stored)."""
    customer = slack.customer_of(channel)
    ts = slack.standin.add_message(channel, user=customer.user_id, text=text, team=customer.team_id)
    sent = slack.sender_for(installation).message(
        channel, customer.user_id, text, user_team=customer.team_id, ts=ts
    )
    assert sent.result.status == 200
    return sent


def _run_processor(slack: LocalSlack, until: list[str]) -> dict[str, str]:
    """Run a processor (as ``escalation-bot events`` does in OAuth mode) until the events end."""
    assert slack.runtime is not None
    processor = EventProcessor(
        runtime=slack.runtime, workspace_of=installation_of(slack.runtime), threads=2
    )
    stop = threading.Event()
    runner = threading.Thread(target=processor.run, args=(stop,), daemon=True)
    runner.start()
    try:
        return {event_id: slack.wait_processed(event_id) for event_id in until}
    finally:
        stop.set()
        runner.join(timeout=10)


def test_each_stored_event_is_processed_with_its_own_installation(
    queued_workspaces: LocalSlack,
) -> None:
    slack = queued_workspaces
    alpha = _customer_says(
        slack, "C0ACMEA", "Cancel our contract please, we are leaving", installation="T0ALPHA"
    )
    beta = _customer_says(
        slack, "C0GLOBEXB", "How do I export a board to CSV?", installation="T0BETA"
    )
    events = Rows(slack).events()
    assert sorted((e.team_id, e.status) for e in events) == [
        ("T0ALPHA", "queued"),
        ("T0BETA", "queued"),
    ]
    assert slack.standin.calls_to("chat.postMessage") == []  # only stored and acknowledged
    statuses = _run_processor(slack, [alpha.event_id, beta.event_id])
    assert statuses == {alpha.event_id: "done", beta.event_id: "done"}
    conversations = {c.channel_id: c.team_id for c in Rows(slack).conversations()}
    assert conversations == {"C0ACMEA": "T0ALPHA", "C0GLOBEXB": "T0BETA"}
    posts = [c for c in slack.standin.calls_to("chat.postMessage") if c.ok]
    alpha_posts = [c for c in posts if c.team_id == "T0ALPHA"]
    beta_posts = [c for c in posts if c.team_id == "T0BETA"]
    assert alpha_posts and beta_posts
    assert all(c.args["channel"].endswith("A") for c in alpha_posts)  # Alpha's own channels
    assert all(c.args["channel"].endswith("B") for c in beta_posts)
    [beta_reply] = [c for c in beta_posts if c.args.get("thread_ts") == beta.ts]
    assert beta_reply.args["channel"] == "C0GLOBEXB"


def test_an_event_of_a_workspace_no_longer_installed_fails_visibly(
    queued_workspaces: LocalSlack,
) -> None:
    slack = queued_workspaces
    assert slack.runtime is not None
    with session_scope(slack.runtime.engine) as session:
        store_event(
            session=session,
            event_id="Ev0GONE",
            team_id="T0GONE",
            event_type="message",
            payload='{"event": {"type": "message", "channel": "C0X", "text": "hi"}}',
            queue=True,
        )
    assert _run_processor(slack, ["Ev0GONE"]) == {"Ev0GONE": "failed"}
    [event] = Rows(slack).events()
    assert event.last_error == "no installation for team T0GONE"
    assert slack.standin.calls_to("chat.postMessage") == []
