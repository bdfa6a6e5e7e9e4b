"""The Slack stand-in, driven by the real ``slack_sdk.WebClient``."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from standins.slack.methods import METHODS, known_method_names
from standins.slack.methods_gen import (
    METHODS_FILE,
    load_spec,
    render_method_names,
    sdk_required_args,
    spec_method_errors,
    spec_required_args,
)
from standins.slack.standin import SlackStandin
from tests.standins.slack.conftest import (
    AGENT,
    CUSTOMER,
    CUSTOMER_TEAM,
    EXTERNAL_CHANNEL,
    INTERNAL_CHANNEL,
    FakeClock,
)

SECTION: dict[str, Any] = {
    "type": "section",
    "text": {"type": "mrkdwn", "text": "*Escalated* to tier 2"},
}
BUTTON_ROW: dict[str, Any] = {
    "type": "actions",
    "elements": [
        {
            "type": "button",
            "action_id": "claim",
            "text": {"type": "plain_text", "text": "Claim"},
            "value": "esc-1",
        }
    ],
}
MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "reassign",
    "title": {"type": "plain_text", "text": "Reassign"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "reason",
            "label": {"type": "plain_text", "text": "Reason"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}
HOME: dict[str, Any] = {"type": "home", "blocks": [SECTION]}


def post(client: WebClient, clock: FakeClock, **kwargs: Any) -> Any:
    """Post after a second has passed, so the per-channel limit never interferes."""
    clock.advance(1.0)
    return client.chat_postMessage(**kwargs)


def api_error(call: Any, *args: Any, **kwargs: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        call(*args, **kwargs)
    return caught.value


def raw_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (local URL)
    try:
        with urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


# -- identity and authentication ------------------------------------------------------------


def test_auth_test_describes_the_bot(client: WebClient, standin: SlackStandin) -> None:
    response = client.auth_test()
    ws = standin.workspace
    assert response["team_id"] == ws.team_id == "T0OURS"
    assert response["user_id"] == ws.bot_user_id == "U0BOT"
    assert response["bot_id"] == ws.bot_id == "B0BOT"
    assert response["url"] == f"https://{ws.domain}.slack.com/"
    assert response["is_enterprise_install"] is False


def test_missing_token_is_not_authed(standin: SlackStandin) -> None:
    error = api_error(WebClient(base_url=standin.url).auth_test)
    assert error.response["error"] == "not_authed"


def test_wrong_token_is_invalid_auth(standin: SlackStandin) -> None:
    error = api_error(WebClient(token="xoxb-wrong", base_url=standin.url).auth_test)
    assert error.response["error"] == "invalid_auth"


def test_token_form_field_is_accepted_but_not_inside_json(standin: SlackStandin) -> None:
    form = urlencode({"token": standin.bot_token}).encode()
    form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
    status, body = raw_post(standin.url + "auth.test", form, form_headers)
    assert (status, body["ok"]) == (200, True)
    as_json = json.dumps({"token": standin.bot_token}).encode()
    status, body = raw_post(
        standin.url + "auth.test", as_json, {"Content-Type": "application/json"}
    )
    assert body == {"ok": False, "error": "not_authed"}
    assert "token" not in standin.calls[-1].args


def test_several_tokens_can_be_accepted() -> None:
    with SlackStandin(bot_token=["xoxb-one", "xoxb-two"]) as standin:
        assert standin.bot_token == "xoxb-one"
        assert WebClient(token="xoxb-two", base_url=standin.url).auth_test()["ok"]


# -- method names ---------------------------------------------------------------------------


def test_unknown_method_is_refused(client: WebClient, standin: SlackStandin) -> None:
    error = api_error(client.api_call, "chat.postMesage", json={"channel": EXTERNAL_CHANNEL})
    assert error.response.status_code == 200
    assert error.response["error"] == "unknown_method"
    assert standin.calls[-1].method == "chat.postMesage"
    assert standin.unimplemented_calls == []


def test_valid_but_unimplemented_method_is_reported(
    client: WebClient, standin: SlackStandin
) -> None:
    assert "files.list" in known_method_names()
    assert "files.list" not in METHODS
    error = api_error(client.files_list)
    assert error.response["error"] == "standin_not_implemented"
    assert standin.unimplemented_calls == ["files.list"]


def test_every_implemented_method_is_a_real_method() -> None:
    assert set(METHODS) <= known_method_names()


def test_method_list_file_matches_spec_and_sdk(spec_path: Any) -> None:
    expected = render_method_names(load_spec(spec_path))
    assert METHODS_FILE.read_text(encoding="utf-8") == expected, (
        "standins/slack/methods.txt is stale: run python -m standins.slack.methods_gen"
    )


# -- required arguments ---------------------------------------------------------------------


def _declared(method: str) -> set[str]:
    return {name for required in METHODS[method].required for name in required.names}


def test_required_arguments_cover_the_sdk_signatures() -> None:
    sdk = sdk_required_args()
    for method in METHODS:
        assert sdk[method] <= _declared(method), method


def test_required_arguments_cover_the_spec(spec_path: Any) -> None:
    spec = load_spec(spec_path)
    required, errors = spec_required_args(spec), spec_method_errors(spec)
    for method, spec_entry in METHODS.items():
        assert required[method] <= _declared(method), method
        for entry in spec_entry.required:
            listed = errors[method]
            assert not listed or entry.error in listed or entry.error == "invalid_arguments", (
                method,
                entry.error,
            )


@pytest.mark.parametrize("method", sorted(m for m in METHODS if METHODS[m].required))
def test_a_call_without_arguments_gets_the_first_required_error(
    client: WebClient, method: str
) -> None:
    error = api_error(client.api_call, method, json={})
    assert error.response["error"] == METHODS[method].required[0].error


@pytest.mark.parametrize(
    ("method", "args", "expected"),
    [
        ("chat.postMessage", {"text": "hi"}, "channel_not_found"),
        ("chat.postMessage", {"channel": EXTERNAL_CHANNEL}, "no_text"),
        ("chat.update", {"channel": EXTERNAL_CHANNEL, "text": "x"}, "message_not_found"),
        ("chat.postEphemeral", {"channel": EXTERNAL_CHANNEL, "text": "x"}, "user_not_in_channel"),
        ("users.info", {}, "user_not_found"),
        ("views.open", {"view": MODAL}, "invalid_trigger_id"),
        ("views.publish", {"user_id": AGENT}, "invalid_arguments"),
        ("reactions.add", {"channel": EXTERNAL_CHANNEL, "timestamp": "1.2"}, "invalid_name"),
        ("conversations.replies", {"channel": EXTERNAL_CHANNEL}, "thread_not_found"),
    ],
)
def test_missing_argument_errors(
    client: WebClient, method: str, args: dict[str, Any], expected: str
) -> None:
    error = api_error(client.api_call, method, json=args)
    assert error.response["error"] == expected


# -- posting, threads, updates --------------------------------------------------------------


def test_post_and_reply_in_thread(
    client: WebClient, standin: SlackStandin, clock: FakeClock
) -> None:
    parent = post(client, clock, channel=EXTERNAL_CHANNEL, text="We are on it")
    reply = post(
        client, clock, channel=EXTERNAL_CHANNEL, text="An agent joined", thread_ts=parent["ts"]
    )
    assert reply["channel"] == EXTERNAL_CHANNEL
    assert reply["message"]["thread_ts"] == parent["ts"]
    assert float(reply["ts"]) > float(parent["ts"])

    top = standin.messages_in(EXTERNAL_CHANNEL)
    assert [m["ts"] for m in top] == [parent["ts"]]
    assert top[0]["reply_count"] == 1
    assert top[0]["bot_id"] == "B0BOT"
    replies = standin.messages_in(EXTERNAL_CHANNEL, thread_ts=parent["ts"])
    assert [(m["ts"], m["text"]) for m in replies] == [(reply["ts"], "An agent joined")]

    thread = client.conversations_replies(channel=EXTERNAL_CHANNEL, ts=parent["ts"])
    assert [m["ts"] for m in thread["messages"]] == [parent["ts"], reply["ts"]]


def test_replies_to_a_customer_message(
    client: WebClient, standin: SlackStandin, clock: FakeClock
) -> None:
    customer_ts = standin.add_message(EXTERNAL_CHANNEL, user=CUSTOMER, text="Our exports fail")
    reply = post(client, clock, channel=EXTERNAL_CHANNEL, text="Looking", thread_ts=customer_ts)
    assert float(reply["ts"]) > float(customer_ts)
    [parent] = standin.messages_in(EXTERNAL_CHANNEL)
    assert (parent["user"], parent["team"], parent["reply_users"]) == (
        CUSTOMER,
        CUSTOMER_TEAM,
        ["U0BOT"],
    )


def test_update_changes_the_message(
    client: WebClient, standin: SlackStandin, clock: FakeClock
) -> None:
    posted = post(client, clock, channel=INTERNAL_CHANNEL, text="Unclaimed", blocks=[SECTION])
    updated = client.chat_update(channel=INTERNAL_CHANNEL, ts=posted["ts"], text="Claimed by Sam")
    assert updated["ts"] == posted["ts"]
    [stored] = standin.messages_in(INTERNAL_CHANNEL)
    assert stored["text"] == "Claimed by Sam"
    assert stored["blocks"][0]["text"]["text"] == SECTION["text"]["text"]
    assert "edited" in stored


def test_update_errors(client: WebClient, standin: SlackStandin) -> None:
    missing = api_error(client.chat_update, channel=INTERNAL_CHANNEL, ts="1.000001", text="x")
    assert missing.response["error"] == "message_not_found"
    customer_ts = standin.add_message(EXTERNAL_CHANNEL, user=CUSTOMER, text="mine")
    theirs = api_error(client.chat_update, channel=EXTERNAL_CHANNEL, ts=customer_ts, text="x")
    assert theirs.response["error"] == "cant_update_message"


def test_delete_removes_only_our_messages(
    client: WebClient, standin: SlackStandin, clock: FakeClock
) -> None:
    posted = post(client, clock, channel=INTERNAL_CHANNEL, text="oops")
    client.chat_delete(channel=INTERNAL_CHANNEL, ts=posted["ts"])
    assert standin.messages_in(INTERNAL_CHANNEL) == []
    customer_ts = standin.add_message(EXTERNAL_CHANNEL, user=CUSTOMER, text="keep")
    error = api_error(client.chat_delete, channel=EXTERNAL_CHANNEL, ts=customer_ts)
    assert error.response["error"] == "cant_delete_message"


def test_ephemeral_messages_are_kept_per_user(client: WebClient, standin: SlackStandin) -> None:
    response = client.chat_postEphemeral(channel=INTERNAL_CHANNEL, user=AGENT, text="Only you")
    [shown] = standin.ephemerals_for(AGENT)
    assert (shown["text"], shown["channel"], shown["message_ts"]) == (
        "Only you",
        INTERNAL_CHANNEL,
        response["message_ts"],
    )
    assert standin.ephemerals_for(CUSTOMER) == []
    assert standin.messages_in(INTERNAL_CHANNEL) == []


def test_permalinks(client: WebClient, standin: SlackStandin, clock: FakeClock) -> None:
    parent = post(client, clock, channel=EXTERNAL_CHANNEL, text="parent")
    reply = post(client, clock, channel=EXTERNAL_CHANNEL, text="reply", thread_ts=parent["ts"])
    domain = standin.workspace.domain
    link = client.chat_getPermalink(channel=EXTERNAL_CHANNEL, message_ts=parent["ts"])
    digits = parent["ts"].replace(".", "")
    assert link["permalink"] == f"https://{domain}.slack.com/archives/{EXTERNAL_CHANNEL}/p{digits}"
    reply_link = client.chat_getPermalink(channel=EXTERNAL_CHANNEL, message_ts=reply["ts"])
    assert reply_link["permalink"].endswith(
        f"/p{reply['ts'].replace('.', '')}?thread_ts={parent['ts']}&cid={EXTERNAL_CHANNEL}"
    )
    error = api_error(client.chat_getPermalink, channel=EXTERNAL_CHANNEL, message_ts="1.000001")
    assert error.response["error"] == "message_not_found"


def test_history_is_newest_first_and_paginates(
    client: WebClient, standin: SlackStandin, clock: FakeClock
) -> None:
    sent = [post(client, clock, channel=INTERNAL_CHANNEL, text=f"m{i}")["ts"] for i in range(3)]
    first = client.conversations_history(channel=INTERNAL_CHANNEL, limit=2)
    assert [m["ts"] for m in first["messages"]] == [sent[2], sent[1]]
    assert first["has_more"] is True
    cursor = first["response_metadata"]["next_cursor"]
    second = client.conversations_history(channel=INTERNAL_CHANNEL, limit=2, cursor=cursor)
    assert [m["ts"] for m in second["messages"]] == [sent[0]]
    assert second["has_more"] is False


def test_channel_and_user_lookups(client: WebClient) -> None:
    channel = client.conversations_info(channel=EXTERNAL_CHANNEL)["channel"]
    assert (channel["id"], channel["name"], channel["is_ext_shared"]) == (
        EXTERNAL_CHANNEL,
        "ext-acme",
        True,
    )
    user = client.users_info(user=CUSTOMER)["user"]
    assert (user["team_id"], user["real_name"]) == (CUSTOMER_TEAM, "Jordan Lee")
    assert client.users_info(user=AGENT)["user"]["profile"]["email"] == "sam@example.com"
    assert api_error(client.users_info, user="U0NOBODY").response["error"] == "user_not_found"
    error = api_error(client.conversations_info, channel="C0NOWHERE")
    assert error.response["error"] == "channel_not_found"


def test_reactions(client: WebClient, standin: SlackStandin) -> None:
    ts = standin.add_message(EXTERNAL_CHANNEL, user=CUSTOMER, text="help")
    client.reactions_add(channel=EXTERNAL_CHANNEL, timestamp=ts, name="eyes")
    [message] = standin.messages_in(EXTERNAL_CHANNEL)
    assert message["reactions"] == [{"name": "eyes", "users": ["U0BOT"], "count": 1}]
    again = api_error(client.reactions_add, channel=EXTERNAL_CHANNEL, timestamp=ts, name="eyes")
    assert again.response["error"] == "already_reacted"
    colons = api_error(client.reactions_add, channel=EXTERNAL_CHANNEL, timestamp=ts, name=":x:")
    assert colons.response["error"] == "invalid_name"


# -- channels -------------------------------------------------------------------------------


def test_posting_by_channel_name(client: WebClient, standin: SlackStandin) -> None:
    assert client.chat_postMessage(channel="#ext-acme", text="hi")["channel"] == EXTERNAL_CHANNEL
    assert [m["text"] for m in standin.messages_in(EXTERNAL_CHANNEL)] == ["hi"]


def test_fault_injection_refuses_unknown_method_names(standin: SlackStandin) -> None:
    with pytest.raises(ValueError, match="not a Slack Web API method"):
        standin.fail_next("chat.postMesage")


def test_unknown_channel_is_channel_not_found(client: WebClient) -> None:
    error = api_error(client.chat_postMessage, channel="C0NOWHERE", text="hi")
    assert error.response["error"] == "channel_not_found"


def test_posting_after_removal_is_not_in_channel(
    client: WebClient, standin: SlackStandin, clock: FakeClock
) -> None:
    post(client, clock, channel=EXTERNAL_CHANNEL, text="before")
    standin.remove_bot_from_channel(EXTERNAL_CHANNEL)
    clock.advance(1.0)
    error = api_error(client.chat_postMessage, channel=EXTERNAL_CHANNEL, text="after")
    assert error.response["error"] == "not_in_channel"
    assert [m["text"] for m in standin.messages_in(EXTERNAL_CHANNEL)] == ["before"]


def test_posting_in_an_archived_channel_is_refused(
    client: WebClient, standin: SlackStandin
) -> None:
    standin.archive_channel(INTERNAL_CHANNEL)
    error = api_error(client.chat_postMessage, channel=INTERNAL_CHANNEL, text="hi")
    assert error.response["error"] == "is_archived"


# -- strict payloads ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "blocks",
    [
        pytest.param(
            [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}],
            id="section-text-over-3000",
        ),
        pytest.param([{"type": "divider"}] * 51, id="51-blocks"),
        pytest.param(
            [{"type": "actions", "elements": [{"type": "button", "action_id": "a"}]}],
            id="button-without-text",
        ),
        pytest.param([{"type": "carousel"}], id="unknown-block-type"),
        pytest.param(
            [{"type": "actions", "elements": [{"type": "hologram", "action_id": "a"}]}],
            id="unknown-element-type",
        ),
        pytest.param([SECTION | {"block_id": "b"}, BUTTON_ROW | {"block_id": "b"}], id="dup-id"),
    ],
)
def test_invalid_blocks_are_refused(
    client: WebClient, standin: SlackStandin, blocks: list[dict[str, Any]]
) -> None:
    error = api_error(client.chat_postMessage, channel=EXTERNAL_CHANNEL, text="t", blocks=blocks)
    assert error.response["error"] == "invalid_blocks"
    assert error.response["errors"]
    assert standin.messages_in(EXTERNAL_CHANNEL) == []


def test_valid_blocks_are_accepted_and_stored_with_block_ids(
    client: WebClient, standin: SlackStandin
) -> None:
    blocks: list[dict[str, Any]] = [SECTION, BUTTON_ROW, *[{"type": "divider"}] * 48]
    response = client.chat_postMessage(channel=EXTERNAL_CHANNEL, text="card", blocks=blocks)
    stored = standin.messages_in(EXTERNAL_CHANNEL)[0]["blocks"]
    assert len(stored) == 50
    assert [b["type"] for b in stored] == [b["type"] for b in blocks]
    assert all(b["block_id"] for b in stored)
    assert response["message"]["blocks"] == stored
    assert standin.calls_to("chat.postMessage")[-1].args["blocks"] == blocks


def test_form_encoded_blocks_are_parsed_and_validated(standin: SlackStandin) -> None:
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": f"Bearer {standin.bot_token}",
    }

    def form(channel: str, blocks: str) -> bytes:
        return urlencode({"channel": channel, "blocks": blocks}).encode()

    url = standin.url + "chat.postMessage"
    status, body = raw_post(url, form(INTERNAL_CHANNEL, json.dumps([BUTTON_ROW])), headers)
    assert (status, body["ok"]) == (200, True)
    assert standin.calls[-1].args["blocks"] == [BUTTON_ROW]
    garbled = form(EXTERNAL_CHANNEL, "[{")
    assert raw_post(url, garbled, headers)[1]["error"] == "invalid_blocks_format"
    bad = [{"type": "actions", "elements": [{"type": "button", "action_id": "a"}]}]
    status, body = raw_post(url, form(EXTERNAL_CHANNEL, json.dumps(bad)), headers)
    assert (status, body["error"]) == (200, "invalid_blocks")
    assert standin.messages_in(EXTERNAL_CHANNEL) == []


def test_text_limit(client: WebClient, clock: FakeClock) -> None:
    error = api_error(client.chat_postMessage, channel=EXTERNAL_CHANNEL, text="x" * 40_001)
    assert error.response["error"] == "msg_too_long"
    assert post(client, clock, channel=EXTERNAL_CHANNEL, text="x" * 40_000)["ok"]


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_blocks_without_text_get_slack_fallback_text(
    client: WebClient, standin: SlackStandin
) -> None:
    client.chat_postMessage(channel=EXTERNAL_CHANNEL, blocks=[SECTION])
    assert standin.messages_in(EXTERNAL_CHANNEL)[0]["text"] == "This content can't be displayed."


# -- rate limits and faults -----------------------------------------------------------------


def test_second_post_within_a_second_is_rate_limited_per_channel(
    client: WebClient, clock: FakeClock
) -> None:
    assert client.chat_postMessage(channel=EXTERNAL_CHANNEL, text="one")["ok"]
    error = api_error(client.chat_postMessage, channel=EXTERNAL_CHANNEL, text="two")
    assert error.response.status_code == 429
    assert error.response["error"] == "ratelimited"
    assert int(error.response.headers["Retry-After"]) >= 1
    assert client.chat_postMessage(channel=INTERNAL_CHANNEL, text="other channel")["ok"]
    clock.advance(1.0)
    assert client.chat_postMessage(channel=EXTERNAL_CHANNEL, text="later")["ok"]


def test_rate_limit_can_be_relaxed_or_disabled(clock: FakeClock) -> None:
    with SlackStandin(clock=clock, post_message_per_channel_per_second=None) as standin:
        standin.add_channel("C1", "c1")
        client = WebClient(token=standin.bot_token, base_url=standin.url)
        for i in range(5):
            client.chat_postMessage(channel="C1", text=str(i))
        assert len(standin.messages_in("C1")) == 5


def test_retry_handler_waits_and_succeeds(
    standin: SlackStandin, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=clock.sleep))
    client = WebClient(
        token=standin.bot_token,
        base_url=standin.url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    client.chat_postMessage(channel=EXTERNAL_CHANNEL, text="one")
    assert client.chat_postMessage(channel=EXTERNAL_CHANNEL, text="two")["ok"]
    assert [c.status for c in standin.calls_to("chat.postMessage")] == [200, 429, 200]
    assert [m["text"] for m in standin.messages_in(EXTERNAL_CHANNEL)] == ["one", "two"]


def test_fault_injection(client: WebClient, standin: SlackStandin, clock: FakeClock) -> None:
    standin.fail_next("chat.postMessage")
    error = api_error(client.chat_postMessage, channel=EXTERNAL_CHANNEL, text="x")
    assert error.response.status_code == 500
    assert post(client, clock, channel=EXTERNAL_CHANNEL, text="x")["ok"]

    standin.fail_next("users.info", status=200, error="user_not_visible", times=2)
    for _ in range(2):
        failed = api_error(client.users_info, user=CUSTOMER)
        assert (failed.response.status_code, failed.response["error"]) == (200, "user_not_visible")
    assert client.users_info(user=CUSTOMER)["ok"]


# -- views ----------------------------------------------------------------------------------


def test_views_open_and_update(client: WebClient, standin: SlackStandin) -> None:
    opened = client.views_open(trigger_id="111.222.abc", view=MODAL)["view"]
    assert opened["id"].startswith("V") and opened["callback_id"] == "reassign"
    assert [v["id"] for v in standin.opened_views()] == [opened["id"]]
    changed = MODAL | {"title": {"type": "plain_text", "text": "Reassigned"}}
    client.views_update(view_id=opened["id"], view=changed)
    assert standin.opened_views()[0]["title"]["text"] == "Reassigned"
    stale = api_error(client.views_update, view_id=opened["id"], view=MODAL, hash="0.stale")
    assert stale.response["error"] == "hash_conflict"
    assert api_error(client.views_update, view_id="V0NONE", view=MODAL).response["error"] == (
        "not_found"
    )


@pytest.mark.parametrize(
    ("view", "trigger_id", "expected"),
    [
        (MODAL, "", "invalid_trigger_id"),
        (MODAL | {"title": {"type": "plain_text", "text": "x" * 25}}, "t", "invalid_arguments"),
        ({k: v for k, v in MODAL.items() if k != "submit"}, "t", "invalid_arguments"),
        ({k: v for k, v in MODAL.items() if k != "title"}, "t", "invalid_arguments"),
        (HOME, "t", "invalid_arguments"),
        (MODAL | {"blocks": [{"type": "divider"}] * 101}, "t", "invalid_arguments"),
    ],
)
def test_views_open_validation(
    client: WebClient, standin: SlackStandin, view: dict[str, Any], trigger_id: str, expected: str
) -> None:
    error = api_error(client.views_open, trigger_id=trigger_id, view=view)
    assert error.response["error"] == expected
    assert standin.opened_views() == []


def test_a_trigger_opens_one_view(client: WebClient) -> None:
    client.views_open(trigger_id="111.222.abc", view=MODAL)
    error = api_error(client.views_open, trigger_id="111.222.abc", view=MODAL)
    assert error.response["error"] == "exchanged_trigger_id"


def test_views_publish(client: WebClient, standin: SlackStandin) -> None:
    published = client.views_publish(user_id=AGENT, view=HOME)["view"]
    home = standin.published_home(AGENT)
    assert home is not None and home["id"] == published["id"]
    assert standin.published_home(CUSTOMER) is None
    for view, expected in [
        (MODAL, "invalid_arguments"),
        (HOME | {"blocks": [SECTION] * 101}, "invalid_arguments"),
        (HOME | {"submit": {"type": "plain_text", "text": "no"}}, "invalid_arguments"),
    ]:
        assert api_error(client.views_publish, user_id=AGENT, view=view).response["error"] == (
            expected
        )
    unknown = api_error(client.views_publish, user_id="U0NOBODY", view=HOME)
    assert unknown.response["error"] == "user_not_found"


# -- response_url, records, waiting ---------------------------------------------------------


def test_response_url_posts_are_recorded_and_checked(standin: SlackStandin) -> None:
    url = standin.response_url_base + "T0OURS/1/secret"
    headers = {"Content-Type": "application/json"}
    ok_body = json.dumps({"text": "Done", "replace_original": True}).encode()
    assert raw_post(url, ok_body, headers)[0] == 200
    bad_body = json.dumps({"blocks": [{"type": "carousel"}]}).encode()
    assert raw_post(url, bad_body, headers)[0] == 400
    assert [(p.payload.get("text"), p.status) for p in standin.response_url_posts()] == [
        ("Done", 200),
        (None, 400),
    ]


def test_calls_record_parsed_arguments(client: WebClient, standin: SlackStandin) -> None:
    client.chat_postMessage(channel=EXTERNAL_CHANNEL, text="hi", blocks=[SECTION])
    [call] = standin.calls_to("chat.postMessage")
    assert call.ok and call.status == 200
    assert call.args == {"channel": EXTERNAL_CHANNEL, "text": "hi", "blocks": [SECTION]}
    assert call.response["ts"] == standin.messages_in(EXTERNAL_CHANNEL)[0]["ts"]


def test_wait_for_sees_work_done_in_the_background(
    client: WebClient, standin: SlackStandin
) -> None:
    worker = threading.Timer(
        0.05, client.chat_postMessage, kwargs={"channel": EXTERNAL_CHANNEL, "text": "later"}
    )
    worker.start()
    messages = standin.wait_for(lambda: standin.messages_in(EXTERNAL_CHANNEL))
    worker.join()
    assert [m["text"] for m in messages] == ["later"]
    with pytest.raises(TimeoutError):
        standin.wait_for(lambda: standin.messages_in(INTERNAL_CHANNEL), timeout=0.05)
