"""Slack retries a delivery when it gets no timely answer: each event is handled once."""

from __future__ import annotations

import json
import threading

from standins.local_slack import LocalSlack
from tests.slack.conftest import Rows

ACME = "C0ACME"


def _posts_in(slack: LocalSlack, channel: str) -> list[object]:
    return [c for c in slack.standin.calls_to("chat.postMessage") if c.args["channel"] == channel]


def test_retries_of_one_event_record_and_reply_once(slack: LocalSlack, rows: Rows) -> None:
    assert slack.sender is not None
    jordan = slack.customer_of(ACME)
    first = slack.sender.message(ACME, jordan.user_id, "Is SSO on Pro?", user_team=jordan.team_id)
    for retry in (1, 2, 3):
        again = slack.sender.message(
            ACME,
            jordan.user_id,
            "Is SSO on Pro?",
            user_team=jordan.team_id,
            ts=first.ts,
            event_id=first.event_id,
            retry_num=retry,
        )
        assert again.result.status == 200
    slack.standin.wait_for(lambda: len(rows.messages()) == 2)
    assert len(rows.conversations()) == 1
    assert [m.author for m in rows.messages()] == ["customer", "bot"]
    assert len(_posts_in(slack, ACME)) == 1
    assert len(rows.events()) == 1


def test_concurrent_deliveries_of_one_event(slack: LocalSlack, rows: Rows) -> None:
    sender = slack.sender
    assert sender is not None
    jordan = slack.customer_of(ACME)
    ts, event_id = sender.new_ts(), sender.new_event_id()
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def deliver(retry: int | None) -> None:
        barrier.wait()
        sent = sender.message(
            ACME,
            jordan.user_id,
            "Our dashboard is blank",
            user_team=jordan.team_id,
            ts=ts,
            event_id=event_id,
            retry_num=retry,
        )
        statuses.append(sent.result.status)

    threads = [threading.Thread(target=deliver, args=(r,)) for r in (None, 1, 2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 4
    slack.standin.wait_for(lambda: len(rows.messages()) == 2)
    assert len(rows.conversations()) == 1
    assert len(_posts_in(slack, ACME)) == 1


def test_the_stored_event_is_the_body_slack_signed(slack: LocalSlack, rows: Rows) -> None:
    sender = slack.sender
    assert sender is not None
    jordan = slack.customer_of(ACME)
    ts = sender.new_ts()
    envelope = {
        "type": "event_callback",
        "team_id": sender.team_id,
        "api_app_id": sender.api_app_id,
        "event_id": sender.new_event_id(),
        "event_time": int(float(ts)),
        "authorizations": [{"team_id": sender.team_id, "user_id": sender.bot_user_id}],
        "event": {
            "type": "message",
            "channel": ACME,
            "user": jordan.user_id,
            "text": "Is SSO on Pro?",
            "ts": ts,
            "team": jordan.team_id,
            "user_team": jordan.team_id,
        },
    }
    body = json.dumps(envelope, indent=2)  # Slack's own spacing, whatever it is, is kept
    assert sender.raw(body.encode(), content_type="application/json").status == 200
    slack.standin.wait_for(lambda: len(rows.messages()) == 2)
    [stored] = rows.events()
    assert stored.payload == body
