from __future__ import annotations

from app.sandbox.local_slack import LocalSlack


def test_opening_app_home_publishes_a_view_for_the_role(slack: LocalSlack) -> None:
    assert slack.sender is not None
    result = slack.sender.event({"type": "app_home_opened", "user": "U0LEAD1", "tab": "home"})
    assert result.status == 200
    view = slack.standin.wait_for(lambda: slack.standin.published_home("U0LEAD1"))
    assert view["type"] == "home"
    assert "support lead" in str(view["blocks"])
    [call] = slack.standin.calls_to("views.publish")
    assert call.ok
