"""The knowledge-gap messages: valid Block Kit, at most 50 blocks, customer text escaped."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import Block

from app.knowledge_gaps.queue import GapDigest, GapEntry, TopicCount, group, topic_key
from app.slack.blocks.gap_digest import (
    ARTICLE_WRITTEN_ACTION,
    MAX_DRAFT_BLOCKS,
    MAX_EXAMPLES,
    gap_digest_blocks,
    gap_digest_text,
    gap_draft_blocks,
    gap_flag_blocks,
    gap_flag_text,
    gap_marked_blocks,
    shown_threads,
)

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
HOSTILE = "Hi <!channel> <@U123> & <https://evil.example|click me> *now*"
NOTE = "Settings > Billing > Export, then QuickBooks."
EXPORT = "billing_question:export-invoic-quickbook"


def entry(
    gap_id: int,
    question: str = "How do I export invoices to QuickBooks?",
    *,
    intent: str = "billing_question",
    topic: str | None = None,
    note: str | None = NOTE,
) -> GapEntry:
    return GapEntry(
        gap_id=gap_id,
        escalation_id=gap_id,
        intent=intent,
        topic=topic or topic_key(intent, question),
        question=question,
        resolution_note=note,
        channel_id="C0ACME",
        thread_ts=f"1717000000.{gap_id:06d}",
        created_at=NOW - timedelta(minutes=gap_id),
    )


def make_digest(entries: list[GapEntry], backlog: int = 0) -> GapDigest:
    return GapDigest(
        since=NOW - timedelta(days=7), now=NOW, intents=group(entries), backlog=backlog
    )


def links_for(digest: GapDigest) -> dict[tuple[str, str], str]:
    return {
        (channel, ts): f"https://acme.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        for channel, ts in shown_threads(digest)
    }


def render(blocks: list[Block]) -> list[dict[str, Any]]:
    """The payload Slack would get, after the SDK's own validation and a re-parse."""
    payload = [block.to_dict() for block in blocks]
    for raw in payload:
        parsed = Block.parse(raw)
        assert parsed is not None
        assert parsed.to_dict() == raw
    assert len(payload) <= 50
    return payload


def texts(payload: list[dict[str, Any]]) -> str:
    return json.dumps(payload, ensure_ascii=False)


def buttons(payload: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        b["accessory"]
        for b in payload
        if b.get("accessory", {}).get("action_id") == ARTICLE_WRITTEN_ACTION
    ]


def test_digest_groups_by_intent_then_topic_with_a_button_per_topic() -> None:
    entries = [entry(n) for n in range(1, 6)]
    entries.append(entry(6, "Where is the audit log?", intent="security", note=None))
    digest = make_digest(entries, backlog=2)
    payload = render(gap_digest_blocks(digest, thread_links=links_for(digest)))
    body = texts(payload)
    assert payload[0]["type"] == "header"
    assert "*6 escalations* resolved as AI knowledge gaps" in body
    assert "2 older gaps still wait for an article" in body
    assert "*Billing question* · 5 gaps in 1 topic" in body
    assert "*Security* · 1 gap in 1 topic" in body
    assert "*export invoices quickbooks* · 5 gaps" in body
    assert "_…and 2 more_" in body  # 5 gaps, 3 examples
    assert "↳ Agent: Settings &gt; Billing &gt; Export, then QuickBooks." in body
    assert "|thread>" in body
    assert [b["value"] for b in buttons(payload)] == [EXPORT, "security:audit-log"]
    assert gap_digest_text(digest) == "6 knowledge gaps in 2 topics to write articles for"


def test_two_hundred_gaps_fit_in_fifty_blocks_and_the_rest_is_summarised() -> None:
    entries = [
        entry(n, f"Question {n} about feature{n} and module{n}?", intent=f"intent_{n % 7}")
        for n in range(1, 201)
    ]
    digest = make_digest(entries)
    payload = render(gap_digest_blocks(digest, thread_links=links_for(digest)))
    assert len(payload) == 50
    shown = len(buttons(payload))
    last = payload[-1]
    assert last["type"] == "context"
    assert f"…and {200 - shown} more topics ({200 - shown} gaps) not shown here." in texts([last])
    # Only the threads of shown examples are looked up.
    assert len(shown_threads(digest)) == shown


def test_one_huge_topic_shows_a_few_examples_and_the_count() -> None:
    long_question = "How do I export invoices to QuickBooks? " + "Please explain. " * 400
    entries = [entry(n, long_question, topic=EXPORT, note="n" * 5000) for n in range(1, 201)]
    digest = make_digest(entries)
    payload = render(gap_digest_blocks(digest, thread_links=links_for(digest)))
    [topic] = [b for b in payload if "accessory" in b]
    assert "· 200 gaps" in topic["text"]["text"]
    assert topic["text"]["text"].count("• “") == MAX_EXAMPLES
    assert len(topic["text"]["text"]) <= 3000 - 200
    assert len(shown_threads(digest)) == MAX_EXAMPLES


def test_customer_text_is_escaped_and_cut() -> None:
    digest = make_digest([entry(1, HOSTILE, note="<!here> fixed & done")])
    payload = render(gap_digest_blocks(digest, thread_links=links_for(digest)))
    body = texts(payload)
    assert "<!channel>" not in body and "<@U123>" not in body and "<!here>" not in body
    assert "<https://evil.example" not in body
    assert "&lt;!channel&gt; &lt;@U123&gt; &amp; &lt;https://evil.example|click me&gt;" in body
    assert "&lt;!here&gt; fixed &amp; done" in body


def test_unsafe_thread_links_are_left_out() -> None:
    digest = make_digest([entry(1), entry(2)])
    [first, second] = shown_threads(digest)
    links = {first: "javascript:alert(1)", second: "https://acme.slack.com/a|b>"}
    body = texts(render(gap_digest_blocks(digest, thread_links=links)))
    assert "javascript" not in body and "|thread>" not in body


def test_the_hot_topic_alert() -> None:
    flag = TopicCount(topic=EXPORT, intent="billing_question", count=5)
    examples = [entry(n) for n in range(1, 4)]
    links = {
        (e.channel_id, e.thread_ts): "https://acme.slack.com/archives/C0ACME/p1" for e in examples
    }
    payload = render(gap_flag_blocks(flag, examples=examples, thread_links=links, window_days=7))
    body = texts(payload)
    assert "*5 knowledge gaps* on *export invoices quickbooks* (Billing question) in 7 days" in body
    assert [b["value"] for b in buttons(payload)] == [EXPORT]
    assert "_…and 2 more_" in body
    text = gap_flag_text(flag, label="export <invoices>", window_days=7)
    assert text == "5 knowledge gaps on export &lt;invoices&gt; in 7 days"


def test_marking_a_topic_replaces_only_its_button() -> None:
    entries = [entry(1), entry(2, "Where is the audit log?", intent="security")]
    digest = make_digest(entries)
    posted = render(gap_digest_blocks(digest, thread_links=links_for(digest)))
    as_slack_sends_back = [{**b, "block_id": f"b{n}"} for n, b in enumerate(posted)]
    payload = render(
        gap_marked_blocks(as_slack_sends_back, topic=EXPORT, user_id="U0LEAD1", at=NOW)
    )
    assert len(payload) == len(posted)
    assert [b["value"] for b in buttons(payload)] == ["security:audit-log"]
    [done] = [b for b in payload if "Article written by" in texts([b])]
    assert "*export invoices quickbooks*" in done["text"]["text"]
    assert ":white_check_mark: Article written by <@U0LEAD1> · <!date^" in done["text"]["text"]
    # A user id that is not one is shown as text, escaped.
    odd = render(gap_marked_blocks(as_slack_sends_back, topic=EXPORT, user_id="<!here>", at=NOW))
    assert "<!here>" not in texts(odd)


def test_an_article_draft_is_escaped_code_within_the_block_limit() -> None:
    markdown = '---\ntitle: "A <b> & c"\n---\n```\ncode\n```\n' + "A line of text.\n" * 2000
    payload = render(gap_draft_blocks(label="export <invoices>", markdown=markdown))
    assert len(payload) <= MAX_DRAFT_BLOCKS
    assert payload[0]["text"]["text"].startswith("*Article draft: export &lt;invoices&gt;*")
    sections = [b["text"]["text"] for b in payload if b["type"] == "section"]
    code = [text for text in sections if text.startswith("```")]
    assert code and all(c.endswith("\n```") and c.count("```") == 2 for c in code)
    assert all(len(c) <= 3000 for c in code)
    assert "A &lt;b&gt; &amp; c" in code[0]
    assert payload[-1]["type"] == "context"  # the rest was cut
