"""The Slack gateway against the Web API stand-in: typed answers, and Slack's refusals as one
error carrying Slack's code, mapped once to the outbox's retryable or permanent outcome."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from app.delivery.outcomes import PermanentError, RetryableError
from app.slack.blocks.customer_handoff import plain_message_blocks
from app.slack.gateway import (
    SlackGateway,
    SlackRefusedError,
    delivering_to,
    gateway_for,
    gateway_of,
)
from standins.slack.standin import SlackStandin


@pytest.fixture
def standin() -> Iterator[SlackStandin]:
    with SlackStandin() as running:
        running.add_channel("C0ACME", "acme-support")
        yield running


@pytest.fixture
def gateway(standin: SlackStandin) -> SlackGateway:
    # no retry handlers: a refusal reaches the gateway on the first answer
    return SlackGateway(WebClient(token=standin.bot_token, base_url=standin.url, retry_handlers=[]))


def test_a_post_answers_with_where_it_went_and_its_ts(
    gateway: SlackGateway, standin: SlackStandin
) -> None:
    posted = gateway.post_message(
        channel="C0ACME", text="Hello", blocks=plain_message_blocks("Hello"), unfurl_links=False
    )
    [message] = [m for m in standin.messages_in("C0ACME") if m.get("bot_id")]
    assert (posted.channel, posted.ts) == ("C0ACME", message["ts"])
    assert message["blocks"][0]["type"] == "section"


def test_an_update_with_no_blocks_clears_them(gateway: SlackGateway, standin: SlackStandin) -> None:
    posted = gateway.post_message(channel="C0ACME", text="a", blocks=plain_message_blocks("a"))
    gateway.update_message(channel="C0ACME", ts=posted.ts, text="b", blocks=[])
    [message] = [m for m in standin.messages_in("C0ACME") if m.get("bot_id")]
    assert message["text"] == "b" and not message.get("blocks")


def test_a_refusal_carries_slacks_error_code(gateway: SlackGateway) -> None:
    with pytest.raises(SlackRefusedError) as refused:
        gateway.post_message(channel="C0NOWHERE", text="Hello")
    assert refused.value.error == "channel_not_found"
    assert refused.value.method == "chat.postMessage" and not refused.value.retryable


def test_a_second_reaction_is_refused_as_already_reacted(gateway: SlackGateway) -> None:
    posted = gateway.post_message(channel="C0ACME", text="Hello")
    gateway.add_reaction(channel="C0ACME", ts=posted.ts, name="eyes")
    with pytest.raises(SlackRefusedError, match="already_reacted"):
        gateway.add_reaction(channel="C0ACME", ts=posted.ts, name="eyes")


def test_a_rate_limit_is_a_retryable_delivery_after_retry_after(
    gateway: SlackGateway, standin: SlackStandin
) -> None:
    standin.fail_next("chat.postMessage", status=429, retry_after=17)
    with pytest.raises(RetryableError) as raised, delivering_to("C0ACME"):
        gateway.post_message(channel="C0ACME", text="Hello")
    assert raised.value.retry_after == 17
    assert str(raised.value) == "Slack answered ratelimited"


def test_slacks_server_errors_are_retryable(gateway: SlackGateway, standin: SlackStandin) -> None:
    standin.fail_next("chat.postMessage", status=200, error="internal_error")
    with pytest.raises(RetryableError), delivering_to("C0ACME"):
        gateway.post_message(channel="C0ACME", text="Hello")


def test_a_bad_channel_is_a_permanent_delivery_naming_code_and_channel(
    gateway: SlackGateway, standin: SlackStandin
) -> None:
    standin.fail_next("chat.postMessage", status=200, error="not_in_channel")
    with (
        pytest.raises(PermanentError, match=r"^Slack answered not_in_channel for channel C0ACME$"),
        delivering_to("C0ACME"),
    ):
        gateway.post_message(channel="C0ACME", text="a message's text")


def test_the_gateway_of_a_team_without_installation_is_a_permanent_error() -> None:
    with pytest.raises(PermanentError, match="no installation of workspace T0GONE"):
        gateway_for(lambda team_id: None, "T0GONE", where="C0ACME")


def test_one_token_has_one_gateway_for_every_team(gateway: SlackGateway) -> None:
    assert gateway_for(gateway, "T0ANY", where="C0ACME") is gateway
    assert gateway_of(gateway.client).client is gateway.client


def test_history_pages_carry_the_next_cursor(gateway: SlackGateway, standin: SlackStandin) -> None:
    for text in ("one", "two", "three"):
        standin.add_message("C0ACME", user="U0CUSTOMER", text=text)
    first = gateway.history_page(channel="C0ACME", oldest="0", limit=2)
    assert len(first.messages) == 2 and first.next_cursor is not None
    rest = gateway.history_page(channel="C0ACME", oldest="0", limit=2, cursor=first.next_cursor)
    assert [m["text"] for m in rest.messages] == ["one"] and rest.next_cursor is None


def test_a_profiles_email_is_read_with_users_info(
    gateway: SlackGateway, standin: SlackStandin
) -> None:
    standin.add_user("U0ANNA", team_id="T0ACME", name="anna", email="anna@example.com")
    assert gateway.user_email("U0ANNA") == "anna@example.com"
    with pytest.raises(SlackRefusedError, match="user_not_found"):
        gateway.user_email("U0NOBODY")


def test_the_bot_identity_comes_from_auth_test(gateway: SlackGateway) -> None:
    bot = gateway.bot_identity()
    assert bot.team_id and bot.user_id
