"""``/escalation-stats``: the five KPIs for leads; usage for bad arguments; refusals for others."""

from __future__ import annotations

import json

from app.metrics.stats_query import USAGE
from standins.local_slack import OUR_TEAM, LocalSlack
from tests.slack.test_handoff import escalate

ACME, GLOBEX, INITECH = "C0ACME", "C0GLOBEX", "C0INITECH"


def _stats(slack: LocalSlack, text: str, *, user: str = "U0LEAD1") -> str:
    assert slack.sender is not None
    result = slack.sender.slash_command(
        "/escalation-stats", text, user=user, user_team=OUR_TEAM, channel="C0LEADS"
    )
    assert result.status == 200
    return result.body


def test_lead_sees_the_five_kpis_with_the_worst_segment(slack: LocalSlack) -> None:
    escalate(slack, ACME, "Cancel our contract please")
    escalate(slack, GLOBEX, "Quiero un reembolso", "Maria")
    customer = slack.customer_of(INITECH)
    slack.say(
        INITECH,
        user=customer.user_id,
        team=customer.team_id,
        text="How do I export a board to CSV?",
    )
    _stats(slack, "30d")
    [post] = slack.standin.wait_for(slack.standin.response_url_posts)
    assert post.payload["response_type"] == "ephemeral"
    report = json.dumps(post.payload["blocks"], ensure_ascii=False)
    for title in (
        "Escalation rate",
        "Containment",
        "Resolution time",
        "Post-escalation CSAT",
        "Repeat escalations",
    ):
        assert title in report
    assert "66.7%" in report  # 2 of 3 conversations escalated
    assert "3 conversations, 2 escalations" in report
    assert "last 30 days" in report


def test_segment_by_tier_and_area(slack: LocalSlack) -> None:
    escalate(slack, ACME, "Cancel our contract please")
    escalate(slack, GLOBEX, "Quiero un reembolso", "Maria")
    _stats(slack, "7d tier:pro area:billing")
    [post] = slack.standin.wait_for(slack.standin.response_url_posts)
    report = json.dumps(post.payload["blocks"], ensure_ascii=False)
    assert "pro accounts, area billing" in report
    assert "1 conversations, 1 escalations" in report


def test_an_empty_window_says_so(slack: LocalSlack) -> None:
    _stats(slack, "7d")
    [post] = slack.standin.wait_for(slack.standin.response_url_posts)
    assert "No conversations in this window yet" in json.dumps(post.payload["blocks"])


def test_help_and_bad_arguments_get_the_usage_line(slack: LocalSlack) -> None:
    assert USAGE in _stats(slack, "help")
    body = _stats(slack, "tier:platinum")
    assert "Unknown tier" in body and USAGE in body
    assert slack.standin.response_url_posts() == []


def test_people_who_are_not_leads_are_refused_politely(slack: LocalSlack) -> None:
    assert "for support leads" in _stats(slack, "", user="U0AGENT1")
    customer = slack.customer_of(ACME)
    assert slack.sender is not None
    result = slack.sender.slash_command(
        "/escalation-stats", "", user=customer.user_id, user_team=customer.team_id, channel=ACME
    )
    assert "for support leads" in result.body
    assert slack.standin.response_url_posts() == []
