"""Message metadata as Slack keeps and returns it, wall-clock timestamps, and requests the
stand-in holds so a test can kill the client before or after Slack accepted a post."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from standins.slack.standin import SlackStandin
from standins.slack.workspace import Workspace, ts_micros
from tests.standins.slack.conftest import INTERNAL_CHANNEL, FakeClock

METADATA = {"event_type": "escalation_reminder", "event_payload": {"key": "escalation-7-leads"}}


def test_a_post_keeps_its_metadata_shown_only_with_include_all_metadata(
    standin: SlackStandin, client: WebClient, clock: FakeClock
) -> None:
    ts = client.chat_postMessage(channel=INTERNAL_CHANNEL, text="Reminder", metadata=METADATA)["ts"]
    clock.advance(2)
    client.chat_postMessage(channel=INTERNAL_CHANNEL, text="Reply", thread_ts=ts)
    [plain] = client.conversations_history(channel=INTERNAL_CHANNEL)["messages"]
    assert plain["ts"] == ts and "metadata" not in plain
    [full] = client.conversations_history(channel=INTERNAL_CHANNEL, include_all_metadata=True)[
        "messages"
    ]
    assert full["metadata"] == METADATA
    parent, reply = client.conversations_replies(
        channel=INTERNAL_CHANNEL, ts=ts, include_all_metadata=True
    )["messages"]
    assert parent["metadata"] == METADATA and "metadata" not in reply
    [plain_parent, _] = client.conversations_replies(channel=INTERNAL_CHANNEL, ts=ts)["messages"]
    assert "metadata" not in plain_parent


@pytest.mark.parametrize(
    "metadata",
    [
        {"event_payload": {"key": "k"}},
        {"event_type": "has spaces", "event_payload": {"key": "k"}},
        {"event_type": "escalation_reminder", "event_payload": "k"},
        ["escalation_reminder"],
    ],
)
def test_malformed_metadata_is_refused(client: WebClient, metadata: Any) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=INTERNAL_CHANNEL, text="Reminder", metadata=metadata)
    assert raised.value.response["error"] == "invalid_metadata_format"


def test_wall_clock_timestamps_follow_the_clock_and_still_increase() -> None:
    workspace = Workspace(wall_clock_ts=True)
    before = time.time()
    first, second = workspace.next_ts(), workspace.next_ts()
    assert before * 1_000_000 <= ts_micros(first) < ts_micros(second)
    assert ts_micros(second) <= (time.time() + 1) * 1_000_000
    assert Workspace().next_ts() == "1700000000.000100"  # the default: a fixed sequence


def _post_in_background(client: WebClient) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def post() -> None:
        try:
            outcome.append(client.chat_postMessage(channel=INTERNAL_CHANNEL, text="Digest")["ts"])
        except SlackApiError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=post)
    thread.start()
    return thread, outcome


def test_a_post_held_after_acceptance_is_stored_before_its_response(
    standin: SlackStandin, client: WebClient
) -> None:
    stall = standin.stall_next("chat.postMessage", channel=INTERNAL_CHANNEL)
    thread, outcome = _post_in_background(client)
    stall.wait_reached()
    [stored] = standin.messages_in(INTERNAL_CHANNEL)  # Slack has it, the client does not know
    assert stored["text"] == "Digest" and outcome == []
    client.auth_test()  # other calls go on while one is held
    stall.release()
    thread.join(timeout=10)
    assert outcome == [stored["ts"]]


def test_a_post_held_before_acceptance_is_dropped(standin: SlackStandin, client: WebClient) -> None:
    stall = standin.stall_next("chat.postMessage", channel=INTERNAL_CHANNEL, accept=False)
    thread, outcome = _post_in_background(client)
    stall.wait_reached()
    assert standin.messages_in(INTERNAL_CHANNEL) == []
    stall.release()
    thread.join(timeout=10)
    [error] = outcome
    assert isinstance(error, SlackApiError) and error.response.status_code == 502
    assert standin.messages_in(INTERNAL_CHANNEL) == []
    assert standin.calls_to("chat.postMessage") == []  # Slack never saw it


def test_only_an_accepted_post_is_held(
    standin: SlackStandin, client: WebClient, clock: FakeClock
) -> None:
    stall = standin.stall_next("chat.postMessage", channel=INTERNAL_CHANNEL)
    with pytest.raises(SlackApiError):  # refused: answered at once, the stall still waits
        client.chat_postMessage(channel=INTERNAL_CHANNEL, text="x", blocks=[{"type": "nope"}])
    assert not stall.reached.is_set()
    clock.advance(2)  # past the per-channel posting limit
    thread, _ = _post_in_background(client)
    stall.wait_reached()
    stall.release()
    thread.join(timeout=10)


def test_an_unknown_method_cannot_be_held(standin: SlackStandin) -> None:
    with pytest.raises(ValueError, match="not a Slack Web API method"):
        standin.stall_next("chat.postMessages")
