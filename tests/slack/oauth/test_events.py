"""Events from each installed workspace reach the app with that workspace's token."""

from __future__ import annotations

from standins.local_slack import LocalSlack
from standins.slack.installer import install
from tests.slack.conftest import Rows


def _home_opened(slack: LocalSlack, team_id: str, user: str, **envelope: object) -> None:
    sender = slack.sender_for(team_id)
    result = sender.event({"type": "app_home_opened", "user": user, "tab": "home"}, **envelope)  # type: ignore[arg-type]
    assert result.status == 200


def _publishes_for(slack: LocalSlack, user: str) -> list[str | None]:
    slack.standin.wait_for(lambda: slack.standin.published_home(user))
    return [c.team_id for c in slack.standin.calls_to("views.publish") if c.args["user_id"] == user]


def test_each_workspace_is_answered_with_its_own_token(oauth_slack: LocalSlack) -> None:
    install(oauth_slack.app_url, oauth_slack.standin, "T0ALPHA", team_name="Alpha")
    install(oauth_slack.app_url, oauth_slack.standin, "T0BETA", team_name="Beta")
    _home_opened(oauth_slack, "T0ALPHA", "U0AGENT1")
    _home_opened(oauth_slack, "T0BETA", "U0AGENT2")
    assert _publishes_for(oauth_slack, "U0AGENT1") == ["T0ALPHA"]
    assert _publishes_for(oauth_slack, "U0AGENT2") == ["T0BETA"]


def test_slack_connect_event_is_authorized_through_authorizations(oauth_slack: LocalSlack) -> None:
    install(oauth_slack.app_url, oauth_slack.standin, "T0ALPHA", team_name="Alpha")
    # A shared channel: the envelope's team_id is the customer's organisation, which never
    # installed the app; ``authorizations`` names the installation the event is for.
    _home_opened(
        oauth_slack,
        "T0CUSTOMER",
        "U0AGENT1",
        authorizations=[
            {
                "enterprise_id": None,
                "team_id": "T0ALPHA",
                "user_id": "UB0ALPHA",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        is_ext_shared_channel=True,
    )
    assert _publishes_for(oauth_slack, "U0AGENT1") == ["T0ALPHA"]
    # stored under the installation it was authorized for, so the worker retries it there
    assert [event.team_id for event in Rows(oauth_slack).events()] == ["T0ALPHA"]


def test_an_event_from_a_workspace_without_installation_is_not_answered(
    oauth_slack: LocalSlack,
) -> None:
    install(oauth_slack.app_url, oauth_slack.standin, "T0ALPHA", team_name="Alpha")
    sender = oauth_slack.sender_for("T0STRANGER")
    result = sender.event({"type": "app_home_opened", "user": "U0AGENT1", "tab": "home"})
    assert result.status == 200  # acknowledged, so that Slack does not retry it
    assert oauth_slack.standin.calls_to("views.publish") == []
