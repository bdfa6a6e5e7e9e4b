"""Slack's rate limits: ``Retry-After`` is honoured, and a burst to one channel is paced to about
one message per second instead of being refused (the stand-in limits like Slack)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest

from app.config import Settings
from app.slack.channel_pacing import ChannelPacer
from app.slack.client import build_web_client
from standins.slack.standin import SlackStandin

TOKEN = "xoxb-pacing-test"
CHANNEL = "C0BURST"


@pytest.fixture
def standin() -> Iterator[SlackStandin]:
    standin = SlackStandin(bot_token=TOKEN).start()
    standin.add_channel(CHANNEL, "burst")
    try:
        yield standin
    finally:
        standin.stop()


def test_retry_after_2_is_honoured(standin: SlackStandin) -> None:
    standin.fail_next("chat.postMessage", status=429, retry_after=2)
    client = build_web_client(Settings(slack_bot_token=TOKEN, slack_api_url=standin.url))
    assert client.chat_postMessage(channel=CHANNEL, text="after the wait")["ok"]
    refused, posted = standin.calls_to("chat.postMessage")
    assert (refused.status, posted.status) == (429, 200)
    assert posted.time - refused.time >= 2.0  # not retried before Slack said it may
    assert [m["text"] for m in standin.messages_in(CHANNEL)] == ["after the wait"]


def test_a_burst_of_30_messages_to_one_channel_is_paced_and_none_is_lost(
    standin: SlackStandin,
) -> None:
    client = build_web_client(Settings(slack_bot_token=TOKEN, slack_api_url=standin.url))
    texts = [f"reply {n}" for n in range(30)]
    with ThreadPoolExecutor(max_workers=30) as pool:
        results = list(pool.map(lambda t: client.chat_postMessage(channel=CHANNEL, text=t), texts))
    assert all(result["ok"] for result in results)
    assert sorted(m["text"] for m in standin.messages_in(CHANNEL)) == sorted(texts)
    calls = standin.calls_to("chat.postMessage")
    # Paced below Slack's limit: (almost) nothing had to be refused; without the pacer 29 of the
    # 30 are. A post that reaches Slack late (a busy machine) and is refused is retried on a
    # later turn, without a run of refusals behind it.
    refused = [c for c in calls if c.status == 429]
    assert len(refused) <= 2
    accepted = [c for c in calls if c.status == 200]
    assert len(accepted) == 30
    gaps = [b.time - a.time for a, b in pairwise(accepted)]
    assert min(gaps) >= 1.0  # the stand-in, like Slack, takes one post per second per channel


def test_pacer_hands_out_turns_one_interval_apart_per_channel() -> None:
    now = [100.0]
    slept: list[float] = []
    pacer = ChannelPacer(1.0, clock=lambda: now[0], sleep=slept.append)
    assert [pacer.wait_turn("C1") for _ in range(3)] == [0.0, 1.0, 2.0]
    assert pacer.wait_turn("C2") == 0.0  # channels are paced independently
    now[0] = 110.0
    assert pacer.wait_turn("C1") == 0.0  # long past its turns: no wait
    assert slept == [1.0, 2.0]


def test_retry_after_holds_the_channel_and_turns_given_before_it_are_taken_again() -> None:
    now = [100.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = ChannelPacer(1.0, clock=lambda: now[0], sleep=sleep)
    assert pacer.wait_turn("C1") == 0.0  # the post Slack refuses
    pacer.defer("C1", 5.0)  # Retry-After: 5
    assert pacer.wait_turn("C1") == 5.0  # nobody posts to C1 before then
    assert now[0] == 105.0
    assert pacer.wait_turn("C2") == 0.0  # other channels are not held


def test_a_429_retry_of_a_post_goes_through_the_channels_pacer(standin: SlackStandin) -> None:
    client = build_web_client(Settings(slack_bot_token=TOKEN, slack_api_url=standin.url))
    standin.fail_next("chat.postMessage", status=429, retry_after=1)
    texts = ["first", "second", "third"]
    with ThreadPoolExecutor(max_workers=3) as pool:
        assert all(
            r["ok"]
            for r in pool.map(lambda t: client.chat_postMessage(channel=CHANNEL, text=t), texts)
        )
    calls = standin.calls_to("chat.postMessage")
    assert [c.status for c in calls].count(429) == 1  # the one Slack refused; no run behind it
    assert sorted(m["text"] for m in standin.messages_in(CHANNEL)) == sorted(texts)
