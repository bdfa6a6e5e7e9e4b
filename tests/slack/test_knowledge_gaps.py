"""Escalations resolved as AI knowledge gaps reach the review queue, the digest and its button."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import Session, select

from app.db.models import KnowledgeGap, utcnow
from app.knowledge_gaps.drafts import OfflineDrafter
from app.knowledge_gaps.jobs import post_weekly_digest
from app.sandbox.local_slack import OUR_TEAM, LocalSlack
from app.slack.client import build_web_client
from app.slack.gap_notifier import SlackGapNotifier
from tests.slack.test_handoff import BILLING, GLOBEX, card_in, escalate, latest, press


def gaps(slack: LocalSlack) -> list[KnowledgeGap]:
    assert slack.runtime is not None
    with Session(slack.runtime.engine) as session:
        return list(session.exec(select(KnowledgeGap)))


def test_a_knowledge_gap_goes_through_the_queue_to_the_digest(slack: LocalSlack) -> None:
    assert slack.sender is not None and slack.runtime is not None
    escalate(slack, GLOBEX, "Quiero un reembolso por la exportación a QuickBooks", "Maria")
    card = card_in(slack, BILLING)
    press(slack, card, "claim_escalation", user="U0AGENT1", channel=BILLING)
    claimed = slack.standin.wait_for(
        lambda: (
            "resolve_escalation" in json.dumps(latest(slack, BILLING, card["ts"])["blocks"])
            and latest(slack, BILLING, card["ts"])
        )
    )
    press(slack, claimed, "resolve_escalation", user="U0AGENT1", channel=BILLING)
    [modal] = slack.standin.wait_for(slack.standin.opened_views)
    slack.sender.view_submission(
        user="U0AGENT1",
        user_team=OUR_TEAM,
        callback_id="resolve_escalation_modal",
        private_metadata=modal["private_metadata"],
        values={
            "tag": {
                "tag": {"type": "radio_buttons", "selected_option": {"value": "ai_knowledge_gap"}}
            },
            "note": {
                "note": {
                    "type": "plain_text_input",
                    "value": "Refunds for sync errors: see policy 4.",
                }
            },
        },
    )
    [gap] = slack.standin.wait_for(lambda: gaps(slack))
    assert gap.status == "open" and gap.resolution_note == "Refunds for sync errors: see policy 4."

    notifier = SlackGapNotifier(build_web_client(slack.runtime.settings))
    posted = post_weekly_digest(
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
