from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from app.bugs.links import IssueLink
from app.escalations.card import CardState, HandoffCard, TriggerLine
from app.slack.blocks.handoff_card import (
    CLAIM_ACTION,
    REASSIGN_ACTION,
    RESOLVE_ACTION,
    fit_escaped,
    format_arr,
    handoff_card_blocks,
    handoff_card_text,
    parse_reassign_block_id,
    reassign_block_id,
    safe_url,
)

HOSTILE = "Hi <!channel> <@U123> & <https://evil|x>"


def make_card(**changes: Any) -> HandoffCard:
    card = HandoffCard(
        escalation_id=42,
        account_name="Acme Corp",
        tier="enterprise",
        summary="Charged twice for the May invoice. Wants a refund today.",
        intent="billing_dispute",
        skill="billing",
        sentiment=-0.62,
        confidence=0.41,
        language="en",
        triggers=(
            TriggerLine("sentiment", "-0.62", "-0.50", "Customer is very upset"),
            TriggerLine("intent", "billing_dispute", "always", "Refunds need a person"),
        ),
        arr=120000.0,
        crm_id="0015A00001",
        reassign_skills=("billing", "technical", "general"),
    )
    return dataclasses.replace(card, **changes)


def render(card: HandoffCard) -> list[dict[str, Any]]:
    """The payload Slack would get, after the SDK's own validation and a re-parse."""
    payload = [block.to_dict() for block in handoff_card_blocks(card)]
    for raw in payload:
        parsed = Block.parse(raw)
        assert parsed is not None
        assert parsed.to_dict() == raw
    assert len(payload) <= 50
    return payload


def texts(payload: list[dict[str, Any]]) -> list[str]:
    """Every text a reader can see, one entry per text object."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload)
    return found


def all_text(payload: list[dict[str, Any]]) -> str:
    return "\n".join(texts(payload))


def actions(payload: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [el for b in payload if b["type"] == "actions" for el in b["elements"]]


def by_action(payload: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    [element] = [el for el in actions(payload) if el.get("action_id") == action_id]
    return element


def assert_within_limits(payload: list[dict[str, Any]]) -> None:
    for block in payload:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            if "text" in block:
                assert 0 < len(block["text"]["text"]) <= 3000
            for field in block.get("fields", []):
                assert len(field["text"]) <= 2000
            assert len(block.get("fields", [])) <= 10
        if block["type"] == "context":
            assert len(block["elements"]) <= 10
            for element in block["elements"]:
                assert len(element["text"]) <= 2000
        if block["type"] == "actions":
            for element in block["elements"]:
                if element["type"] == "button":
                    assert len(element["text"]["text"]) <= 75
                for option in element.get("options", []):
                    assert len(option["text"]["text"]) <= 75


def test_open_card_has_claim_button_and_reassign_select_to_other_skills() -> None:
    payload = render(make_card())
    claim = by_action(payload, CLAIM_ACTION)
    assert claim["type"] == "button"
    assert claim["style"] == "primary"
    assert claim["value"] == "42"
    assert claim["text"]["text"] == "Claim"
    select = by_action(payload, REASSIGN_ACTION)
    assert select["type"] == "static_select"
    assert [o["value"] for o in select["options"]] == ["technical", "general"]
    [actions_block] = [b for b in payload if b["type"] == "actions"]
    assert actions_block["block_id"] == "reassign:42"
    assert parse_reassign_block_id(actions_block["block_id"]) == 42
    assert RESOLVE_ACTION not in {el["action_id"] for el in actions(payload)}


def test_open_card_without_other_skills_has_only_the_claim_button() -> None:
    payload = render(make_card(reassign_skills=("billing",)))
    assert [el["action_id"] for el in actions(payload)] == [CLAIM_ACTION]


def test_claimed_card_shows_who_and_when_and_offers_resolve() -> None:
    claimed_at = datetime(2024, 5, 1, 14, 3, tzinfo=UTC)
    payload = render(
        make_card(state=CardState.CLAIMED, claimed_by="U0AGENT1", claimed_at=claimed_at)
    )
    resolve = by_action(payload, RESOLVE_ACTION)
    assert resolve["style"] == "primary"
    assert resolve["value"] == "42"
    assert CLAIM_ACTION not in {el["action_id"] for el in actions(payload)}
    assert by_action(payload, REASSIGN_ACTION)["type"] == "static_select"
    unix = int(claimed_at.timestamp())
    expected = (
        f"Claimed by <@U0AGENT1> at "
        f"<!date^{unix}^{{date_short_pretty}} {{time}}|2024-05-01 14:03 UTC>"
    )
    assert expected in texts(payload)


def test_claimed_at_without_timezone_is_read_as_utc() -> None:
    naive = datetime(2024, 5, 1, 14, 3)
    payload = render(make_card(state=CardState.CLAIMED, claimed_by="U0AGENT1", claimed_at=naive))
    unix = int(naive.replace(tzinfo=UTC).timestamp())
    assert f"<!date^{unix}^" in all_text(payload)


def test_resolved_card_has_no_actions_and_shows_the_outcome() -> None:
    payload = render(
        make_card(
            state=CardState.RESOLVED,
            claimed_by="U0AGENT1",
            resolved_by="U0AGENT1",
            resolution_tag="policy_exception",
            resolution_note="Refunded <!here> & closed",
        )
    )
    assert actions(payload) == []
    text = all_text(payload)
    assert "Resolved by <@U0AGENT1> · Policy exception" in text
    assert "Refunded &lt;!here&gt; &amp; closed" in text
    assert "<!here>" not in text


def test_resolved_card_cuts_a_long_note() -> None:
    payload = render(
        make_card(
            state=CardState.RESOLVED,
            resolved_by="U0AGENT1",
            resolution_tag="other",
            resolution_note="line\n" * 2000 + "x" * 10_000,
        )
    )
    assert_within_limits(payload)
    assert "…" in all_text(payload)


def test_customer_text_is_escaped_everywhere_in_the_card() -> None:
    hostile_trigger = TriggerLine("intent", HOSTILE, "always", HOSTILE)
    payload = render(make_card(summary=HOSTILE, triggers=(hostile_trigger,), routing_note=HOSTILE))
    mrkdwn = [t for b in payload if b["type"] != "header" for t in texts([b])]
    joined = "\n".join(mrkdwn)
    assert "Hi &lt;!channel&gt; &lt;@U123&gt; &amp; &lt;https://evil|x&gt;" in joined
    for raw in ("<!channel>", "<@U123>", "<https://evil", "& "):
        assert raw not in joined


def test_long_summary_and_many_triggers_are_cut_not_rejected() -> None:
    triggers = tuple(
        TriggerLine("sentiment", f"-0.{i:02d}", "-0.50", "x" * 500) for i in range(100)
    )
    card = make_card(
        account_name="A" * 500,
        summary="word & " * 2000,  # 14,000 characters, more once escaped
        triggers=triggers,
        mentions=tuple(f"U{i:08d}" for i in range(200)),
        routing_note="r" * 5000,
        page_url="https://example.com/" + "p" * 5000,
        reassign_skills=tuple(f"skill_{i}_" + "s" * 100 for i in range(300)),
    )
    payload = render(card)
    assert_within_limits(payload)
    summary = payload[1]["text"]["text"]
    assert summary.endswith("…")
    assert summary.count("&amp;") > 100
    assert "&amp…" not in summary and not summary.removesuffix("…").endswith("&")
    trigger_text = next(t for t in texts(payload) if t.startswith("*Why it escalated*"))
    assert trigger_text.count("\n• ") < 100
    assert "more_" in trigger_text
    assert len(by_action(payload, REASSIGN_ACTION)["options"]) <= 100


def test_ten_thousand_character_summary_fits() -> None:
    payload = render(make_card(summary="z" * 10_000))
    assert len(payload[1]["text"]["text"]) <= 3000
    assert payload[1]["text"]["text"].startswith("z" * 100)


def test_fields_show_signals_with_words() -> None:
    fields = [f["text"] for b in render(make_card()) for f in b.get("fields", [])]
    assert "*Intent*\nbilling_dispute" in fields
    assert "*Skill*\nbilling" in fields
    assert "*Sentiment*\n-0.62 (very negative)" in fields
    assert "*Answer confidence*\n0.41" in fields
    assert "*Language*\nen" in fields
    assert "*Tier*\nenterprise" in fields
    assert "*ARR*\n$120,000" in fields


def test_triggers_list_value_threshold_and_reason() -> None:
    text = all_text(render(make_card()))
    assert "-0.62 (threshold -0.50) — Customer is very upset" in text
    assert "billing_dispute (threshold always) — Refunds need a person" in text


@pytest.mark.parametrize(
    ("arr", "shown"),
    [(120000.0, "$120,000"), (1234567.89, "$1,234,568"), (0.0, "$0"), (999.4, "$999")],
)
def test_arr_formatting(arr: float, shown: str) -> None:
    assert format_arr(arr) == shown


def test_arr_is_left_out_when_unknown() -> None:
    assert "*ARR*" not in all_text(render(make_card(arr=None)))


def test_crm_id_is_a_link_only_with_a_crm_url() -> None:
    plain = all_text(render(make_card()))
    assert "*CRM*\n0015A00001" in plain
    assert "<https://" not in plain
    linked = all_text(render(make_card(crm_url="https://crm.example.com/acct/0015A00001")))
    assert "*CRM*\n<https://crm.example.com/acct/0015A00001|0015A00001>" in linked


def test_unsafe_crm_url_falls_back_to_plain_id() -> None:
    text = all_text(render(make_card(crm_url="javascript:alert(1)")))
    assert "*CRM*\n0015A00001" in text
    assert "javascript" not in text


def test_safe_page_url_is_a_link() -> None:
    text = all_text(render(make_card(page_url="https://app.example.com/billing?id=7")))
    assert "<https://app.example.com/billing?id=7>" in text


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example|click here",
        "https://x.example/<!channel>",
        "javascript:alert(1)",
        "ftp://files.example/a",
        "https://x.example/a b",
        "https://",
    ],
)
def test_unsafe_page_url_is_shown_as_escaped_text(url: str) -> None:
    assert not safe_url(url)
    text = all_text(render(make_card(page_url=url)))
    assert f"<{url}" not in text
    assert f"Page: {fit_escaped(url, 2000)}" in text
    assert "<!channel>" not in text


def test_thread_link_when_the_thread_url_is_known() -> None:
    url = "https://acme.slack.com/archives/C0CUST/p1714572180000100"
    assert f"<{url}|Open the customer's thread>" in all_text(render(make_card(thread_url=url)))
    assert "Open the customer's thread" not in all_text(render(make_card()))


def test_mentions_and_routing_note() -> None:
    payload = render(
        make_card(
            mentions=("U0AGENT1", "W0AGENT2", "<!channel>"), routing_note="Overflow: none on shift"
        )
    )
    text = all_text(payload)
    assert "<@U0AGENT1> <@W0AGENT2>" in text
    assert "<!channel>" not in text
    assert "Overflow: none on shift" in text


def test_follow_up_later_is_shown_only_when_chosen() -> None:
    assert "follow-up later" in all_text(render(make_card(follow_up_later=True)))
    assert "follow-up later" not in all_text(render(make_card()))


def test_header_and_fallback_text() -> None:
    payload = render(make_card())
    assert payload[0]["type"] == "header"
    assert payload[0]["text"]["text"] == "Acme Corp (enterprise)"
    assert handoff_card_text(make_card()) == "Escalation: Acme Corp (enterprise), billing_dispute"
    assert "<!channel>" not in handoff_card_text(make_card(account_name="<!channel>"))


def test_reassign_block_id_round_trip() -> None:
    assert reassign_block_id(7) == "reassign:7"
    assert parse_reassign_block_id("reassign:7") == 7
    assert parse_reassign_block_id("claim:7") is None
    assert parse_reassign_block_id("reassign:x") is None


def test_fit_escaped_never_splits_an_entity() -> None:
    for limit in range(1, 30):
        cut = fit_escaped("a&<>" * 20, limit)
        assert len(cut) <= limit
        body = cut.removesuffix("…")
        assert body.count("&") == body.count(";")


def test_no_bug_button_unless_a_tracker_is_configured() -> None:
    payload = render(make_card(possible_bug="ValueError: boom"))
    assert "create_bug_report" not in [e["action_id"] for e in actions(payload)]
    assert "Possible bug" not in all_text(payload)


def test_a_possible_bug_is_shown_and_its_button_emphasised() -> None:
    payload = render(make_card(bug_reports=True, possible_bug="ValueError: <b>`x`</b> & y"))
    button = by_action(payload, "create_bug_report")
    assert (button["text"]["text"], button["style"], button["value"]) == (
        "Create bug report",
        "primary",
        "42",
    )
    assert ":warning: Possible bug: `ValueError: &lt;b&gt;'x'&lt;/b&gt; &amp; y`" in all_text(
        payload
    )
    plain = by_action(render(make_card(bug_reports=True)), "create_bug_report")
    assert "style" not in plain
    assert_within_limits(payload)


def test_a_filed_report_shows_its_links_instead_of_the_button() -> None:
    filed = render(make_card(bug_reports=True, possible_bug="E", bug_reported=True))
    assert "create_bug_report" not in [e["action_id"] for e in actions(filed)]
    assert "Bug report filed: the link follows" in all_text(filed)
    links = (
        IssueLink("Linear", "ENG-7", "https://linear.app/acme/issue/ENG-7"),
        IssueLink("Jira", "SUP-3", "javascript:alert(1)"),
    )
    resolved = render(
        make_card(
            bug_reports=True,
            bug_reported=True,
            bug_links=links,
            state=CardState.RESOLVED,
            resolved_by="U0AGENT1",
        )
    )
    text = all_text(resolved)
    assert (
        ":lady_beetle: Bug report: <https://linear.app/acme/issue/ENG-7|Linear ENG-7> · Jira SUP-3"
        in text
    )
    assert "javascript" not in text


def test_follow_ups_are_quoted_escaped_and_the_latest_kept_when_there_are_many() -> None:
    payload = render(make_card(follow_ups=("It fails at <b>step 2</b>\nsee log",)))
    text = all_text(payload)
    assert "Follow-ups from the customer (1)" in text
    assert ">It fails at &lt;b&gt;step 2&lt;/b&gt; see log" in text

    many = tuple(f"message {n} " + "y" * 2000 for n in range(12))
    payload = render(make_card(follow_ups=many))
    assert_within_limits(payload)
    text = all_text(payload)
    assert "Follow-ups from the customer (12)" in text
    assert "…and 7 earlier, in the channel" in text
    assert "message 11" in text and "message 7 " in text and "message 6 " not in text


def test_a_card_without_follow_ups_has_no_follow_up_section() -> None:
    assert "Follow-ups" not in all_text(render(make_card()))
