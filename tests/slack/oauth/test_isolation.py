"""Two workspaces installed: each sees only its own accounts, escalations and stats."""

from __future__ import annotations

import json

from standins.local_slack import LocalSlack
from standins.slack.signed_requests import SentMessage
from tests.slack.conftest import Rows


def acme_says(slack: LocalSlack, text: str, *, installation: str) -> SentMessage:
    """Alpha's customer Acme writes in its channel; Slack delivers it for ``installation``."""
    customer = slack.customer_of("C0ACMEA")
    return slack.say(
        "C0ACMEA",
        user=customer.user_id,
        team=customer.team_id,
        text=text,
        installation=installation,
    )


def escalate_in_alpha(slack: LocalSlack) -> None:
    sent = acme_says(slack, "Cancel our contract please, we are leaving", installation="T0ALPHA")
    assert slack.wait_processed(sent.event_id) == "done"


def _home(slack: LocalSlack, team_id: str, user: str) -> str:
    slack.sender_for(team_id).event({"type": "app_home_opened", "user": user, "tab": "home"})
    return json.dumps(slack.standin.wait_for(lambda: slack.standin.published_home(user)))


def _stats(slack: LocalSlack, team_id: str, lead: str) -> str:
    before = len(slack.standin.response_url_posts())
    result = slack.sender_for(team_id).slash_command(
        "/escalation-stats", "30d", user=lead, user_team=team_id, channel="C0LEADS"
    )
    assert result.status == 200
    posts = slack.standin.wait_for(lambda: slack.standin.response_url_posts()[before:])
    return json.dumps(posts[0].payload["blocks"])


def test_escalations_are_stored_and_routed_within_their_workspace(
    two_workspaces: LocalSlack,
) -> None:
    slack = two_workspaces
    escalate_in_alpha(slack)
    rows = Rows(slack)
    [conversation] = rows.conversations()
    assert conversation.team_id == "T0ALPHA"
    card_posts = [
        c for c in slack.standin.calls_to("chat.postMessage") if c.args["channel"] != "C0ACMEA"
    ]
    assert card_posts and all(c.team_id == "T0ALPHA" for c in card_posts)
    assert all(c.args["channel"].endswith("A") for c in card_posts)  # Alpha's own channels


def test_stats_and_app_home_show_only_the_workspaces_own_data(two_workspaces: LocalSlack) -> None:
    slack = two_workspaces
    escalate_in_alpha(slack)
    assert "1 conversations, 1 escalations" in _stats(slack, "T0ALPHA", "U0LEADA")
    assert "No conversations in this window yet" in _stats(slack, "T0BETA", "U0LEADB")
    alpha_home = _home(slack, "T0ALPHA", "U0LEADA")
    beta_home = _home(slack, "T0BETA", "U0LEADB")
    assert "*Open escalations*\\n1" in alpha_home
    assert "*Open escalations*\\n0" in beta_home
    assert "*Conversations, last 7 days*\\n0" in beta_home


def test_a_lead_of_one_workspace_is_no_lead_in_another(two_workspaces: LocalSlack) -> None:
    slack = two_workspaces
    result = slack.sender_for("T0BETA").slash_command(
        "/escalation-stats", "30d", user="U0LEADA", user_team="T0BETA", channel="C0LEADSB"
    )
    assert "for support leads" in result.body


def test_a_channel_of_another_workspace_opens_nothing(two_workspaces: LocalSlack) -> None:
    slack = two_workspaces
    # delivered for Beta's installation: the channel is not one of Beta's accounts
    sent = acme_says(slack, "Cancel our contract please", installation="T0BETA")
    assert slack.wait_processed(sent.event_id)
    assert Rows(slack).conversations() == []
    assert slack.standin.calls_to("chat.postMessage") == []


def test_a_button_carrying_another_workspaces_escalation_is_refused(
    two_workspaces: LocalSlack,
) -> None:
    slack = two_workspaces
    escalate_in_alpha(slack)
    [escalation] = Rows(slack).escalations()
    # Beta's agent sends a claim with Alpha's escalation id (never on a card Beta was shown)
    result = slack.sender_for("T0BETA").block_action(
        user="U0AGENTB",
        user_team="T0BETA",
        action_id="claim_escalation",
        value=str(escalation.id),
        channel="C0BILLB",
        message_ts="1700000000.000100",
    )
    assert result.status == 200
    notice = slack.standin.wait_for(lambda: slack.standin.ephemerals_for("U0AGENTB"))
    assert "no longer valid" in notice[0]["text"]
    assert notice and slack.standin.calls_to("chat.postEphemeral")[-1].team_id == "T0BETA"
    assert Rows(slack).escalations()[0].claimed_by is None
