"""Escalations resolved as AI knowledge gaps reach the review queue, the digest and its button."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from app.db.engine import make_engine
from app.db.models import KnowledgeGap, utcnow
from app.db.schema import upgrade
from app.knowledge_gaps.drafts import OfflineDrafter
from app.knowledge_gaps.queue import TopicCount
from app.slack.blocks.gap_digest import gap_flag_blocks
from app.slack.client import build_web_client
from app.slack.gap_notifier import SlackGapNotifier
from app.worker.knowledge_gap_jobs import post_weekly_digest
from standins.local_slack import LocalSlack
from tests.bugs.test_service import escalation_row
from tests.db.test_gap_topics_migration import THEN, knowledge_gaps
from tests.slack.test_handoff import BILLING, GLOBEX, card_in, claim_and_resolve, escalate, press

LEADS = "C0LEADS"


def gaps(slack: LocalSlack) -> list[KnowledgeGap]:
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        return list(session.exec(select(KnowledgeGap)))


def test_a_knowledge_gap_goes_through_the_queue_to_the_digest(slack: LocalSlack) -> None:
    assert slack.sender is not None and slack.runtime is not None
    escalate(slack, GLOBEX, "Quiero un reembolso por la exportación a QuickBooks", "Maria")
    card = card_in(slack, BILLING)
    claim_and_resolve(
        slack,
        card,
        channel=BILLING,
        agent="U0AGENT1",
        tag="ai_knowledge_gap",
        note="Refunds for sync errors: see policy 4.",
    )
    [gap] = slack.standin.wait_for(lambda: gaps(slack))
    assert gap.status == "open" and gap.resolution_note == "Refunds for sync errors: see policy 4."

    notifier = SlackGapNotifier(build_web_client(slack.runtime.settings))
    posted = post_weekly_digest(
        team_id="single",
        engine=slack.runtime.engine,
        config=slack.runtime.config,
        notifier=notifier,
        drafter=OfflineDrafter(),
        now=utcnow() + timedelta(minutes=5),
    )
    assert posted
    digest = next(
        m
        for m in slack.standin.messages_in("C0LEADS")
        if "gap_article_written" in json.dumps(m.get("blocks") or [])
    )
    press(slack, digest, "gap_article_written", user="U0LEAD1", channel="C0LEADS")
    slack.standin.wait_for(lambda: gaps(slack)[0].status == "article_written")
    assert gaps(slack)[0].article_written_by == "U0LEAD1"


def test_a_button_posted_before_the_topic_keys_were_recomputed_still_closes_its_topic(
    empty_database_url: str, example_config_path: Path
) -> None:
    """A hot-topic alert posted at revision 0019 carries the suffix-stripped key; the upgrade
    recomputes the gap's key; the alert's button still closes the gap, and says who did."""
    old_key, new_key = "integration:fail-retry-webhook", "integration:fail-retri-webhook"
    engine = make_engine(empty_database_url)
    upgrade(engine, "0019")
    escalation_id = escalation_row(engine, "hooli", "Webhook retries keep failing")
    with engine.begin() as connection:
        connection.execute(
            sa.insert(knowledge_gaps).values(
                escalation_id=escalation_id,
                intent="integration",
                topic=old_key,
                question="Webhook retries keep failing",
                status="open",
                created_at=THEN,
            )
        )
    engine.dispose()

    with LocalSlack(database_url=empty_database_url, config_path=example_config_path) as slack:
        assert slack.runtime is not None
        [gap] = gaps(slack)  # the app upgraded the database as it started
        assert (gap.topic, gap.previous_topic) == (new_key, old_key)
        flag = TopicCount(topic=old_key, intent="integration", count=1)
        blocks = gap_flag_blocks(flag, examples=[], thread_links={}, window_days=7)
        notifier = SlackGapNotifier(build_web_client(slack.runtime.settings))
        ts = notifier.post_blocks(channel=LEADS, text="1 knowledge gap", blocks=blocks)
        [alert] = [m for m in slack.standin.messages_in(LEADS) if m["ts"] == ts]

        press(slack, alert, "gap_article_written", user="U0LEAD1", channel=LEADS)

        slack.standin.wait_for(lambda: gaps(slack)[0].status == "article_written")
        assert gaps(slack)[0].article_written_by == "U0LEAD1"
        updated = slack.standin.wait_for(
            lambda: next(
                (
                    m
                    for m in slack.standin.messages_in(LEADS)
                    if m["ts"] == ts and "Article written by <@U0LEAD1>" in json.dumps(m)
                ),
                None,
            )
        )
        assert "gap_article_written" not in json.dumps(updated["blocks"])
        assert slack.standin.ephemerals_for("U0LEAD1") == []

        # The same old button pressed again says who closed the topic.
        press(slack, alert, "gap_article_written", user="U0AGENT1", channel=LEADS)
        [notice] = slack.standin.wait_for(lambda: slack.standin.ephemerals_for("U0AGENT1"))
        assert notice["text"] == "Already marked written by <@U0LEAD1>."
