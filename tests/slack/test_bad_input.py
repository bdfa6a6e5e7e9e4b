"""Bad input gets the right HTTP answer and a log line, never a crash or a half-written row."""

from __future__ import annotations

import http.client
import logging

import pytest

from standins.local_slack import LocalSlack
from tests.slack.conftest import Rows

ACME = "C0ACME"


BROKEN_JSON = b'{"type": "event_callback", "event": '


def test_signed_malformed_json_is_acknowledged(
    slack: LocalSlack, rows: Rows, caplog: pytest.LogCaptureFixture
) -> None:
    assert slack.sender is not None
    with caplog.at_level(logging.WARNING):
        result = slack.sender.raw(BROKEN_JSON, content_type="application/json")
    assert result.status == 200
    assert "malformed body" in caplog.text
    assert rows.events() == []
    # The app still works afterwards.
    jordan = slack.customer_of(ACME)
    slack.sender.message(ACME, jordan.user_id, "still there?", user_team=jordan.team_id)
    slack.standin.wait_for(lambda: len(rows.messages()) == 2)


def test_unsigned_malformed_json_is_refused(slack: LocalSlack) -> None:
    assert slack.sender is not None
    result = slack.sender.raw(
        BROKEN_JSON, content_type="application/json", signature="v0=" + "1" * 64
    )
    assert result.status == 401


def test_unknown_event_type_is_acknowledged(
    slack: LocalSlack, rows: Rows, caplog: pytest.LogCaptureFixture
) -> None:
    assert slack.sender is not None
    with caplog.at_level(logging.INFO):
        result = slack.sender.event({"type": "pin_added", "channel_id": ACME, "user": "U0X"})
    assert result.status == 200
    [event] = rows.events()
    assert (event.event_type, event.status) == ("pin_added", "ignored")
    assert "no listener for event_callback pin_added" in caplog.text


def test_unknown_interaction_is_acknowledged(slack: LocalSlack) -> None:
    assert slack.sender is not None
    result = slack.sender.block_action(
        user="U0AGENT1", user_team="T0OURS", action_id="no_such_action", value="x"
    )
    assert result.status == 200


def test_message_with_no_text(slack: LocalSlack, rows: Rows) -> None:
    assert slack.sender is not None
    jordan = slack.customer_of(ACME)
    sent = slack.sender.message(ACME, jordan.user_id, "", user_team=jordan.team_id)
    assert sent.result.status == 200
    slack.standin.wait_for(lambda: [e.status for e in rows.events()] == ["done"])
    assert rows.conversations() == []


@pytest.mark.parametrize(
    "text",
    [
        "x" * 40_000,
        "¿Dónde está mi factura? 🧾🔥 日本語も OK — naïve façade",
        "<!channel> <@U0LEAD1> *bold* <https://evil.example|click> & done",
    ],
)
def test_long_unicode_and_markup_text_is_stored_as_is(
    slack: LocalSlack, rows: Rows, text: str
) -> None:
    assert slack.sender is not None
    jordan = slack.customer_of(ACME)
    sent = slack.sender.message(ACME, jordan.user_id, text, user_team=jordan.team_id)
    assert sent.result.status == 200
    slack.standin.wait_for(lambda: len(rows.messages()) == 2)
    assert rows.messages()[0].text == text
    [post] = [c for c in slack.standin.calls_to("chat.postMessage") if c.args["channel"] == ACME]
    assert post.ok
    assert "<!channel>" not in str(post.args)  # customer markup is never echoed


def test_too_large_body_is_refused_before_it_is_read(slack: LocalSlack) -> None:
    host, port = slack.app_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    connection.putrequest("POST", "/slack/events")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", "2000000")
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    connection.close()


def test_health_check(slack: LocalSlack) -> None:
    from urllib.request import urlopen

    with urlopen(slack.app_url + "/healthz") as response:  # noqa: S310
        assert response.status == 200
        assert b'"database": "up"' in response.read()
