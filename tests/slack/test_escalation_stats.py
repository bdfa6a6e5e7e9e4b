"""``/escalation-stats``: the numbers for leads and agents, refusals for everyone else."""

from __future__ import annotations

from app.sandbox.local_slack import OUR_TEAM, LocalSlack

ACME, GLOBEX = "C0ACME", "C0GLOBEX"


def _seed(slack: LocalSlack) -> None:
    for channel in (ACME, ACME, GLOBEX):
        customer = slack.customer_of(channel)
        slack.say(channel, user=customer.user_id, team=customer.team_id, text="help please")


def test_lead_sees_activity_by_tier(slack: LocalSlack) -> None:
    assert slack.sender is not None
    _seed(slack)
    result = slack.sender.slash_command(
        "/escalation-stats", "30d", user="U0LEAD1", user_team=OUR_TEAM, channel="C0LEADS"
    )
    assert result.status == 200
    [post] = slack.standin.wait_for(slack.standin.response_url_posts)
    assert post.payload["response_type"] == "ephemeral"
    rendered = str(post.payload["blocks"])
    assert "last 30 days" in rendered
    assert "*Conversations*\\n3" in rendered
    assert "*Enterprise*\\n2" in rendered and "*Pro*\\n1" in rendered and "*Free*\\n0" in rendered


def test_non_members_of_the_support_team_are_refused(slack: LocalSlack) -> None:
    assert slack.sender is not None
    customer = slack.customer_of(ACME)
    result = slack.sender.slash_command(
        "/escalation-stats", "", user=customer.user_id, user_team=customer.team_id, channel=ACME
    )
    assert result.status == 200
    assert "Only support leads and agents" in result.body
    assert slack.standin.response_url_posts() == []


def test_unreadable_window_is_explained(slack: LocalSlack) -> None:
    assert slack.sender is not None
    result = slack.sender.slash_command(
        "/escalation-stats", "last quarter", user="U0LEAD1", user_team=OUR_TEAM, channel="C0LEADS"
    )
    assert result.status == 200
    assert "can't read 'last quarter'" in result.body
    assert "/escalation-stats 30d" in result.body
