"""Only requests signed by Slack are processed."""

from __future__ import annotations

import json
import time

import pytest

from standins.local_slack import LocalSlack
from tests.slack.conftest import Rows


def _event_body(slack: LocalSlack) -> bytes:
    jordan = slack.customer_of("C0ACME")
    assert slack.sender is not None
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0OURS",
            "event_id": "Ev0SIGNED",
            "event": {
                "type": "message",
                "channel": "C0ACME",
                "user": jordan.user_id,
                "user_team": jordan.team_id,
                "text": "hello, how do I export a board to CSV?",
                "ts": slack.sender.new_ts(),
            },
        }
    ).encode()


@pytest.mark.parametrize(
    ("age_seconds", "signature"),
    [
        (None, "v0=" + "0" * 64),  # wrong signature, fresh timestamp
        (6 * 60, None),  # correctly signed but older than 5 minutes
        (None, ""),  # no signature at all
    ],
)
def test_bad_or_stale_signature_is_refused(
    slack: LocalSlack, rows: Rows, age_seconds: int | None, signature: str | None
) -> None:
    assert slack.sender is not None
    # the age, not a time, is the parameter: every test worker collects the same tests
    timestamp = None if age_seconds is None else str(int(time.time()) - age_seconds)
    result = slack.sender.raw(
        _event_body(slack),
        content_type="application/json",
        timestamp=timestamp,
        signature=signature,
    )
    assert result.status == 401
    assert rows.events() == []
    assert rows.conversations() == []
    assert slack.standin.calls_to("chat.postMessage") == []


def test_signed_body_is_accepted(slack: LocalSlack, rows: Rows) -> None:
    assert slack.sender is not None
    result = slack.sender.raw(_event_body(slack), content_type="application/json")
    assert result.status == 200
    slack.standin.wait_for(lambda: len(rows.messages()) == 2)


def test_url_verification_answers_the_challenge(slack: LocalSlack) -> None:
    assert slack.sender is not None
    result = slack.sender.url_verification("c-123")
    assert result.status == 200
    assert "c-123" in result.body
