"""Signed Slack requests, checked by a local server that verifies them like an app does."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from slack_bolt import App, Say
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from standins.slack.signed_requests import SlackRequestSender
from standins.slack.standin import SlackStandin
from tests.standins.slack.conftest import CUSTOMER, CUSTOMER_TEAM, EXTERNAL_CHANNEL

SECRET = "an-example-signing-secret"


@dataclass
class Received:
    """What the verifying server saw."""

    body: bytes
    headers: dict[str, str]
    valid: bool


@dataclass
class VerifyingServer:
    """A tiny app endpoint: 200 for a valid Slack signature, 401 otherwise."""

    url: str
    received: list[Received] = field(default_factory=list)

    @property
    def last(self) -> Received:
        return self.received[-1]

    def last_json(self) -> Any:
        return json.loads(self.last.body)

    def last_form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.last.body.decode()).items()}

    def last_payload(self) -> Any:
        return json.loads(self.last_form()["payload"])


@pytest.fixture
def server() -> Iterator[VerifyingServer]:
    verifier = SignatureVerifier(SECRET)
    state = VerifyingServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = dict(self.headers.items())
            valid = verifier.is_valid_request(body, headers)
            state.received.append(Received(body, headers, valid))
            reply = b"ok" if valid else b"invalid signature"
            self.send_response(200 if valid else 401)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/slack/events"
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def sender(server: VerifyingServer) -> SlackRequestSender:
    return SlackRequestSender(server.url, SECRET)


# -- signatures -----------------------------------------------------------------------------


def test_valid_signature_passes(sender: SlackRequestSender, server: VerifyingServer) -> None:
    result = sender.url_verification("challenge-123")
    assert (result.status, result.body) == (200, "ok")
    assert server.last.valid
    body = server.last_json()
    assert (body["type"], body["challenge"]) == ("url_verification", "challenge-123")


def test_stale_timestamp_fails(server: VerifyingServer) -> None:
    stale = SlackRequestSender(server.url, SECRET, clock=lambda: time.time() - 6 * 60)
    result = stale.event({"type": "app_mention", "text": "hi"})
    assert result.status == 401
    assert not server.last.valid


def test_wrong_secret_fails(server: VerifyingServer) -> None:
    result = SlackRequestSender(server.url, "another-secret").url_verification("x")
    assert result.status == 401


def test_raw_sends_bytes_as_given(sender: SlackRequestSender, server: VerifyingServer) -> None:
    malformed = b'{"type": "event_callback", '
    assert sender.raw(malformed, content_type="application/json").status == 200
    assert server.last.body == malformed
    forged = sender.raw(malformed, content_type="application/json", signature="v0=" + "0" * 64)
    assert forged.status == 401
    old = str(int(time.time()) - 3600)
    assert sender.raw(b"{}", content_type="application/json", timestamp=old).status == 401
    assert server.last.headers["X-Slack-Request-Timestamp"] == old


# -- Events API -----------------------------------------------------------------------------


def test_event_envelope(sender: SlackRequestSender, server: VerifyingServer) -> None:
    first = sender.event({"type": "app_home_opened", "user": CUSTOMER})
    first_id = server.last_json()["event_id"]
    sender.event({"type": "app_home_opened", "user": CUSTOMER})
    envelope = server.last_json()
    assert first.status == 200
    assert envelope["type"] == "event_callback"
    assert envelope["team_id"] == "T0OURS" and envelope["api_app_id"] == "A0APP"
    assert envelope["event"] == {"type": "app_home_opened", "user": CUSTOMER}
    assert envelope["event_id"] != first_id
    [authorization] = envelope["authorizations"]
    assert (authorization["team_id"], authorization["user_id"], authorization["is_bot"]) == (
        "T0OURS",
        "U0BOT",
        True,
    )
    assert "X-Slack-Retry-Num" not in server.last.headers


def test_event_retry_headers(sender: SlackRequestSender, server: VerifyingServer) -> None:
    sender.event({"type": "app_mention"}, event_id="Ev0SAME", retry_num=2)
    assert server.last_json()["event_id"] == "Ev0SAME"
    assert server.last.headers["X-Slack-Retry-Num"] == "2"
    assert server.last.headers["X-Slack-Retry-Reason"] == "http_timeout"


def test_message_event_from_a_slack_connect_customer(
    sender: SlackRequestSender, server: VerifyingServer
) -> None:
    sent = sender.message(EXTERNAL_CHANNEL, CUSTOMER, "Exports fail", user_team=CUSTOMER_TEAM)
    envelope = server.last_json()
    event = envelope["event"]
    assert sent.result.status == 200
    assert envelope["event_id"] == sent.event_id
    assert envelope["is_ext_shared_channel"] is True
    assert (event["ts"], event["channel"], event["user"], event["text"]) == (
        sent.ts,
        EXTERNAL_CHANNEL,
        CUSTOMER,
        "Exports fail",
    )
    assert event["team"] == event["user_team"] == event["source_team"] == CUSTOMER_TEAM
    assert event["channel_type"] == "channel"
    assert "thread_ts" not in event

    reply = sender.message(
        EXTERNAL_CHANNEL, CUSTOMER, "Any news?", user_team=CUSTOMER_TEAM, thread_ts=sent.ts
    )
    assert server.last_json()["event"]["thread_ts"] == sent.ts
    assert float(reply.ts) > float(sent.ts)
    assert reply.event_id != sent.event_id


def test_bot_message_event(sender: SlackRequestSender, server: VerifyingServer) -> None:
    sender.message(
        EXTERNAL_CHANNEL,
        "U0OTHERBOT",
        "beep",
        user_team=CUSTOMER_TEAM,
        subtype="bot_message",
        bot_id="B0OTHER",
        extra={"username": "other"},
    )
    event = server.last_json()["event"]
    assert (event["subtype"], event["bot_id"], event["username"]) == (
        "bot_message",
        "B0OTHER",
        "other",
    )
    assert "client_msg_id" not in event


# -- interactivity and commands -------------------------------------------------------------


def test_block_action(sender: SlackRequestSender, server: VerifyingServer) -> None:
    result = sender.block_action(
        user="U0AGENT",
        user_team="T0OURS",
        action_id="claim",
        value="esc-7",
        channel="C0INTERNAL",
        message_ts="1700000000.000100",
    )
    assert result.status == 200
    assert server.last.headers["Content-Type"] == "application/x-www-form-urlencoded"
    payload = server.last_payload()
    assert payload["type"] == "block_actions"
    assert payload["user"] == {
        "id": "U0AGENT",
        "username": "u0agent",
        "name": "u0agent",
        "team_id": "T0OURS",
    }
    assert [(a["action_id"], a["value"]) for a in payload["actions"]] == [("claim", "esc-7")]
    assert payload["container"]["message_ts"] == "1700000000.000100"
    assert payload["channel"]["id"] == "C0INTERNAL"
    assert payload["response_url"].startswith(sender.response_url_base)
    assert payload["trigger_id"]


def test_view_submission(sender: SlackRequestSender, server: VerifyingServer) -> None:
    values = {"reason": {"value": {"type": "plain_text_input", "value": "on leave"}}}
    sender.view_submission(
        user="U0AGENT",
        user_team="T0OURS",
        callback_id="reassign",
        values=values,
        private_metadata='{"escalation": 7}',
    )
    payload = server.last_payload()
    assert payload["type"] == "view_submission"
    assert payload["view"]["callback_id"] == "reassign"
    assert payload["view"]["state"]["values"] == values
    assert payload["view"]["private_metadata"] == '{"escalation": 7}'


def test_slash_command(sender: SlackRequestSender, server: VerifyingServer) -> None:
    sender.slash_command(
        "/escalate", "urgent", user="U0AGENT", user_team="T0OURS", channel="C0INTERNAL"
    )
    form = server.last_form()
    assert (form["command"], form["text"], form["user_id"], form["channel_id"]) == (
        "/escalate",
        "urgent",
        "U0AGENT",
        "C0INTERNAL",
    )
    assert form["response_url"] and form["trigger_id"]


# -- end to end: a Bolt app between the sender and the stand-in -----------------------------


class _QuietWSGIHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_bolt_app_answers_a_signed_message_through_the_standin() -> None:
    with SlackStandin() as standin:
        standin.add_channel(EXTERNAL_CHANNEL, "ext-acme", is_ext_shared=True)
        bolt = App(
            client=WebClient(token=standin.bot_token, base_url=standin.url), signing_secret=SECRET
        )

        @bolt.event("message")
        def reply(event: dict[str, Any], say: Say) -> None:
            say(text="We are looking into it", thread_ts=event["ts"])

        httpd = make_server(
            "127.0.0.1", 0, SlackRequestHandler(bolt), handler_class=_QuietWSGIHandler
        )
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01})
        thread.start()
        try:
            sender = SlackRequestSender(
                f"http://127.0.0.1:{httpd.server_port}/slack/events", SECRET
            )
            sent = sender.message(EXTERNAL_CHANNEL, CUSTOMER, "Help", user_team=CUSTOMER_TEAM)
            assert sent.result.status == 200
            replies = standin.wait_for(
                lambda: standin.messages_in(EXTERNAL_CHANNEL, thread_ts=sent.ts)
            )
            assert [m["text"] for m in replies] == ["We are looking into it"]
            stale = SlackRequestSender(
                sender.app_url, SECRET, clock=lambda: time.time() - 6 * 60
            ).message(EXTERNAL_CHANNEL, CUSTOMER, "Old", user_team=CUSTOMER_TEAM)
            assert stale.result.status == 401
        finally:
            httpd.shutdown()
            httpd.server_close()
            thread.join()
