"""Escalations resolved as AI knowledge gaps reach the review queue, the digest and its button."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import Session, select

from app.db.models import KnowledgeGap, utcnow
from app.knowledge_gaps.drafts import OfflineDrafter
from app.slack.client import build_web_client
from app.slack.gap_notifier import SlackGapNotifier
from app.worker.knowledge_gap_jobs import post_weekly_digest
from standins.local_slack import LocalSlack
from tests.slack.test_handoff import BILLING, GLOBEX, card_in, claim_and_resolve, escalate, press


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
