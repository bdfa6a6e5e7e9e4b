"""The worker jobs: the weekly digest and hot-topic alerts, through a recording notifier and
through the real Slack notifier against the local Slack stand-in; then the button."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.config import Settings
from app.config_file import EscalationConfig, ReportsConfig, load_config
from app.db.engine import session_scope
from app.db.models import Conversation, KnowledgeGap
from app.knowledge_gaps.drafts import DraftRequest, OfflineDrafter
from app.runtime import Runtime
from app.slack.blocks.gap_digest import ARTICLE_WRITTEN_ACTION
from app.slack.gap_notifier import SlackGapNotifier
from app.slack.listeners.actions.gap_article_written import gap_article_written
from app.slack.middleware.runtime import RUNTIME_KEY
from app.worker.knowledge_gap_jobs import GapDigestThreadError, flag_hot_topics, post_weekly_digest
from standins.slack.standin import SlackStandin
from tests.knowledge_gaps.test_queue import EXPORT_QUESTIONS, NOW, gap, gaps

KB = "C0KB"
LEADS = "C0LEADS"
EXPORT = "billing_question:export-invoic-quickbook"


class RecordingNotifier:
    """Records what the jobs send; the blocks go through the SDK's validation."""

    def __init__(self, *, fail_posts: int = 0) -> None:
        self.posts: list[dict[str, Any]] = []
        self.fail_posts = fail_posts
        self.unreadable_threads = False
        self._lock = threading.Lock()

    def post_blocks(
        self,
        *,
        channel: str,
        text: str,
        blocks: Sequence[Block],
        thread_ts: str | None = None,
        key: str | None = None,
    ) -> str | None:
        payload = [block.to_dict() for block in blocks]
        assert 0 < len(payload) <= 50
        with self._lock:
            if self.fail_posts:
                self.fail_posts -= 1
                return None
            ts = f"1800000000.{len(self.posts) + 1:06d}"
            self.posts.append(
                {
                    "channel": channel,
                    "text": text,
                    "blocks": payload,
                    "thread_ts": thread_ts,
                    "ts": ts,
                    "key": key,
                }
            )
            return ts

    def keys_in_thread(self, *, channel: str, thread_ts: str) -> set[str] | None:
        if self.unreadable_threads:
            return None
        with self._lock:
            return {
                p["key"]
                for p in self.posts
                if p["channel"] == channel and p["thread_ts"] == thread_ts and p["key"]
            }

    def permalink(self, *, channel: str, ts: str) -> str | None:
        return f"https://acme.slack.com/archives/{channel}/p{ts.replace('.', '')}"

    def update(self, *, channel: str, ts: str, text: str, blocks: Sequence[Block]) -> bool:
        raise AssertionError("the jobs never update a message")

    def top_level(self) -> list[dict[str, Any]]:
        return [p for p in self.posts if p["thread_ts"] is None]


class BrokenDrafter:
    def draft(self, request: DraftRequest) -> str:
        raise RuntimeError("model unavailable")


@pytest.fixture
def config(example_config_path: Path) -> EscalationConfig:
    return load_config(example_config_path).model_copy(update={"kb_channel": KB})


def with_threshold(config: EscalationConfig, threshold: int) -> EscalationConfig:
    return config.model_copy(update={"reports": ReportsConfig(gap_flag_threshold=threshold)})


def digest_now(
    engine: Engine,
    config: EscalationConfig,
    notifier: Any,
    now: datetime = NOW,
    **slot: str,
) -> int:
    return post_weekly_digest(
        team_id="single",
        engine=engine,
        config=config,
        notifier=notifier,
        drafter=OfflineDrafter(),
        now=now,
        **slot,
    )


# -- the weekly digest ------------------------------------------------------------------------


def test_weekly_digest_posts_once_then_marks_the_gaps_digested(
    engine: Engine, config: EscalationConfig
) -> None:
    for question in EXPORT_QUESTIONS[:3]:
        gap(engine, question, resolved_at=NOW - timedelta(days=1))
    gap(engine, "Where is the audit log?", intent="security")
    notifier = RecordingNotifier()
    assert digest_now(engine, config, notifier) == 4
    [posted] = notifier.top_level()
    assert posted["channel"] == KB
    assert posted["text"] == "4 knowledge gaps in 2 topics to write articles for"
    body = json.dumps(posted["blocks"])
    assert "https://acme.slack.com/archives/C0ACME/p" in body
    assert all(g.digested_at is not None for g in gaps(engine))
    # A draft per topic, in the digest's thread, biggest topic first.
    drafts = [p for p in notifier.posts if p["thread_ts"] == posted["ts"]]
    assert [d["text"] for d in drafts] == [
        "Article draft: export invoices quickbooks",
        "Article draft: audit log",
    ]
    assert "## Steps" in json.dumps(drafts[0]["blocks"])
    # Nothing new: nothing posted.
    assert digest_now(engine, config, notifier, NOW + timedelta(days=7)) == 0
    assert len(notifier.top_level()) == 1
    # A new gap shows up in the next digest, alone.
    gap(engine, "Can I pay by SEPA direct debit?", resolved_at=NOW + timedelta(days=3))
    assert digest_now(engine, config, notifier, NOW + timedelta(days=7)) == 1
    assert len(notifier.top_level()) == 2


def test_digest_goes_to_the_leads_without_a_kb_channel(
    engine: Engine, config: EscalationConfig
) -> None:
    gap(engine, EXPORT_QUESTIONS[0])
    notifier = RecordingNotifier()
    assert digest_now(engine, config.model_copy(update={"kb_channel": None}), notifier) == 1
    assert [p["channel"] for p in notifier.top_level()] == [LEADS]


def test_nothing_to_report_posts_nothing(engine: Engine, config: EscalationConfig) -> None:
    gap(engine, EXPORT_QUESTIONS[0], resolved_at=NOW + timedelta(days=1))  # after the clock
    notifier = RecordingNotifier()
    assert digest_now(engine, config, notifier) == 0
    assert notifier.posts == []


def test_a_failed_post_leaves_the_gaps_for_the_next_run(
    engine: Engine, config: EscalationConfig
) -> None:
    gap(engine, EXPORT_QUESTIONS[0])
    notifier = RecordingNotifier(fail_posts=1)
    assert digest_now(engine, config, notifier) == 0
    assert all(g.digested_at is None for g in gaps(engine))
    assert digest_now(engine, config, notifier, NOW + timedelta(days=7)) == 1
    assert len(notifier.top_level()) == 1


def test_a_failing_drafter_does_not_undo_the_digest(
    engine: Engine, config: EscalationConfig
) -> None:
    gap(engine, EXPORT_QUESTIONS[0])
    notifier = RecordingNotifier()
    reported = post_weekly_digest(
        team_id="single",
        engine=engine,
        config=config,
        notifier=notifier,
        drafter=BrokenDrafter(),
        now=NOW,
    )
    assert reported == 1 and len(notifier.posts) == 1
    assert all(g.digested_at is not None for g in gaps(engine))


def test_the_digest_carries_its_slot_key_and_is_not_posted_again_once_in_slack(
    engine: Engine, config: EscalationConfig
) -> None:
    gap(engine, EXPORT_QUESTIONS[0])
    gap(engine, "Where is the audit log?", intent="security")
    notifier = RecordingNotifier()
    already = "1799999999.000100"  # posted by a worker that died before it finished
    key = "post_knowledge_gap_digest@2026-11-30T09:00Z"
    assert digest_now(engine, config, notifier, key=key, posted_ts=already) == 2
    assert notifier.top_level() == []
    assert all(g.digested_at is not None for g in gaps(engine))
    assert {p["thread_ts"] for p in notifier.posts} == {already}  # the drafts, in its thread
    gap(engine, "Can I pay by SEPA direct debit?", resolved_at=NOW + timedelta(days=3))
    next_key = "post_knowledge_gap_digest@2026-12-07T09:00Z"
    assert digest_now(engine, config, notifier, NOW + timedelta(days=7), key=next_key) == 1
    [posted] = notifier.top_level()
    assert posted["key"] == next_key


def test_a_digest_taken_over_posts_only_the_drafts_its_thread_lacks(
    engine: Engine, config: EscalationConfig
) -> None:
    gap(engine, EXPORT_QUESTIONS[0])
    gap(engine, "Where is the audit log?", intent="security")
    key = "post_knowledge_gap_digest@2026-11-30T09:00Z"
    notifier = RecordingNotifier()
    # The first worker posted the digest and one draft, then died before marking the gaps.
    first = RecordingNotifier()
    assert digest_now(engine, config, first, key=key) == 2
    [digest_post] = first.top_level()
    first_draft = next(p for p in first.posts if p["thread_ts"] == digest_post["ts"])
    with session_scope(engine) as session:
        for row in session.exec(select(KnowledgeGap)):
            row.digested_at = None
            session.add(row)
    notifier.posts = [digest_post, first_draft]
    assert digest_now(engine, config, notifier, key=key, posted_ts=digest_post["ts"]) == 2
    drafts = [p for p in notifier.posts if p["thread_ts"] == digest_post["ts"]]
    assert len(drafts) == 2 and len({d["key"] for d in drafts}) == 2
    assert all(d["key"].startswith(key + "#draft:") for d in drafts)
    assert all(g.digested_at is not None for g in gaps(engine))


def test_a_digest_taken_over_whose_thread_cannot_be_read_is_left_for_later(
    engine: Engine, config: EscalationConfig
) -> None:
    gap(engine, EXPORT_QUESTIONS[0])
    notifier = RecordingNotifier()
    notifier.unreadable_threads = True
    key = "post_knowledge_gap_digest@2026-11-30T09:00Z"
    with pytest.raises(GapDigestThreadError):
        digest_now(engine, config, notifier, key=key, posted_ts="1799999999.000100")
    assert notifier.posts == []
    assert all(g.digested_at is None for g in gaps(engine))


# -- hot topics -------------------------------------------------------------------------------


def test_a_hot_topic_is_alerted_once(engine: Engine, config: EscalationConfig) -> None:
    for index, question in enumerate(EXPORT_QUESTIONS[:3]):
        gap(engine, question, resolved_at=NOW - timedelta(days=index))
    gap(engine, "Where is the audit log?", intent="security")
    notifier = RecordingNotifier()
    hot = with_threshold(config, 3)
    assert (
        flag_hot_topics(team_id="single", engine=engine, config=hot, notifier=notifier, now=NOW)
        == 1
    )
    [alert] = notifier.posts
    assert alert["channel"] == KB
    assert alert["text"] == "3 knowledge gaps on export invoices quickbooks in 7 days"
    assert [b["accessory"]["value"] for b in alert["blocks"] if "accessory" in b] == [EXPORT]
    assert (
        flag_hot_topics(team_id="single", engine=engine, config=hot, notifier=notifier, now=NOW)
        == 0
    )
    later = NOW + timedelta(hours=1)
    assert (
        flag_hot_topics(team_id="single", engine=engine, config=hot, notifier=notifier, now=later)
        == 0
    )
    assert len(notifier.posts) == 1


def test_below_the_threshold_nothing_is_alerted(engine: Engine, config: EscalationConfig) -> None:
    for question in EXPORT_QUESTIONS[:4]:
        gap(engine, question)
    notifier = RecordingNotifier()
    assert (
        flag_hot_topics(team_id="single", engine=engine, config=config, notifier=notifier, now=NOW)
        == 0
    )
    assert notifier.posts == [] and all(g.flagged_at is None for g in gaps(engine))


def test_a_failed_alert_is_tried_again(engine: Engine, config: EscalationConfig) -> None:
    for question in EXPORT_QUESTIONS[:2]:
        gap(engine, question)
    hot = with_threshold(config, 2)
    notifier = RecordingNotifier(fail_posts=1)
    assert (
        flag_hot_topics(team_id="single", engine=engine, config=hot, notifier=notifier, now=NOW)
        == 0
    )
    assert all(g.flagged_at is None for g in gaps(engine))
    assert (
        flag_hot_topics(team_id="single", engine=engine, config=hot, notifier=notifier, now=NOW)
        == 1
    )


def test_two_workers_alert_a_hot_topic_once(engine: Engine, config: EscalationConfig) -> None:
    for question in EXPORT_QUESTIONS:
        gap(engine, question)
    notifier = RecordingNotifier()
    barrier = threading.Barrier(3)

    def worker() -> None:
        barrier.wait()
        flag_hot_topics(team_id="single", engine=engine, config=config, notifier=notifier, now=NOW)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(notifier.posts) == 1


# -- through Slack (the local stand-in) -------------------------------------------------------


@pytest.fixture
def standin() -> Iterator[SlackStandin]:
    with SlackStandin(post_message_per_channel_per_second=None) as local:
        local.add_channel(KB, "kb-articles")
        local.add_channel("C0ACME", "acme-support", is_ext_shared=True)
        for user in ("U0LEAD1", "U0AGENT1", "U0CUST"):
            local.add_user(user, team_id="T0OURS", name=user.lower())
        yield local


def threads_in_slack(engine: Engine, standin: SlackStandin) -> None:
    """The customers' questions exist in the stand-in, so permalinks to them resolve."""
    with session_scope(engine) as session:
        for conversation in session.exec(select(Conversation)):
            standin.add_message(
                conversation.channel_id, user="U0CUST", text="question", ts=conversation.thread_ts
            )


def press(
    standin: SlackStandin,
    engine: Engine,
    config: EscalationConfig,
    message: dict[str, Any],
    user: str,
) -> list[dict[str, Any]]:
    """``user`` clicks the topic's button on ``message``; returns what was acknowledged."""
    [button] = [
        b["accessory"]
        for b in message["blocks"]
        if b.get("accessory", {}).get("action_id") == ARTICLE_WRITTEN_ACTION
        and b["accessory"]["value"] == EXPORT
    ]
    acks: list[dict[str, Any]] = []
    body = {
        "type": "block_actions",
        "user": {"id": user, "team_id": "T0OURS"},
        "channel": {"id": KB},
        "container": {"type": "message", "channel_id": KB, "message_ts": message["ts"]},
        "message": message,
        "actions": [button],
    }
    runtime = Runtime(settings=Settings(), config=config, engine=engine, triage=None)  # type: ignore[arg-type]
    context = BoltContext({RUNTIME_KEY: runtime})
    client = WebClient(base_url=standin.url, token=standin.bot_token)
    gap_article_written(lambda **kw: acks.append(kw), body, button, context, client)  # type: ignore[arg-type]
    return acks


def test_digest_through_slack_then_an_agent_marks_the_article_written(
    engine: Engine, config: EscalationConfig, standin: SlackStandin
) -> None:
    for question in EXPORT_QUESTIONS[:3]:
        gap(engine, question)
    gap(engine, "Where is the audit log?", intent="security")
    threads_in_slack(engine, standin)
    client = WebClient(base_url=standin.url, token=standin.bot_token)
    notifier = SlackGapNotifier(client)

    assert digest_now(engine, config, notifier) == 4
    [digest_message] = standin.messages_in(KB)
    body = json.dumps(digest_message["blocks"])
    assert "https://oursupport.slack.com/archives/C0ACME/p" in body
    drafts = standin.messages_in(KB, digest_message["ts"])
    assert len(drafts) == 2 and drafts[0]["text"].startswith("Article draft:")
    assert all(call.ok for call in standin.calls)

    # Someone outside support is refused, privately; nothing changes.
    assert press(standin, engine, config, digest_message, "U0CUST") == [{}]
    [refusal] = standin.ephemerals_for("U0CUST")
    assert refusal["text"].startswith("Only support leads and agents")
    assert all(g.status == "open" for g in gaps(engine))

    # A lead marks it: the topic's gaps close, and the digest shows who, in place.
    assert press(standin, engine, config, digest_message, "U0LEAD1") == [{}]
    with session_scope(engine) as session:
        rows = session.exec(select(KnowledgeGap).where(col(KnowledgeGap.topic) == EXPORT)).all()
    assert [(g.status, g.article_written_by) for g in rows] == [("article_written", "U0LEAD1")] * 3
    [updated] = standin.messages_in(KB)
    assert updated["ts"] == digest_message["ts"]
    updated_body = json.dumps(updated["blocks"])
    assert "Article written by <@U0LEAD1>" in updated_body
    values = [b["accessory"]["value"] for b in updated["blocks"] if "accessory" in b]
    assert values == ["security:audit-log"]

    # An agent pressing the (stale) button again learns who did it.
    press(standin, engine, config, digest_message, "U0AGENT1")
    [notice] = standin.ephemerals_for("U0AGENT1")
    assert notice["text"] == "Already marked written by <@U0LEAD1>."


def test_slack_errors_are_logged_and_the_digest_waits_for_the_next_run(
    engine: Engine, config: EscalationConfig, standin: SlackStandin
) -> None:
    gap(engine, EXPORT_QUESTIONS[0])
    client = WebClient(base_url=standin.url, token=standin.bot_token)
    notifier = SlackGapNotifier(client)
    standin.fail_next("chat.postMessage", status=200, error="not_in_channel", channel=KB)
    assert digest_now(engine, config, notifier) == 0  # and no permalink: the thread is unknown
    assert all(g.digested_at is None for g in gaps(engine))
    assert standin.messages_in(KB) == []
    assert digest_now(engine, config, notifier, NOW + timedelta(days=7)) == 1
    [message] = standin.messages_in(KB)
    assert "|thread>" not in json.dumps(message["blocks"])
