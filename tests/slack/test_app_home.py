from __future__ import annotations

from standins.local_slack import LocalSlack


def test_opening_app_home_publishes_a_view_for_the_role(slack: LocalSlack) -> None:
    assert slack.sender is not None
    result = slack.sender.event({"type": "app_home_opened", "user": "U0LEAD1", "tab": "home"})
    assert result.status == 200
    view = slack.standin.wait_for(lambda: slack.standin.published_home("U0LEAD1"))
    assert view["type"] == "home"
    assert "support lead" in str(view["blocks"])
    [call] = slack.standin.calls_to("views.publish")
    assert call.ok


def test_leads_see_the_kpis_on_app_home(slack: LocalSlack) -> None:
    assert slack.sender is not None
    slack.sender.event({"type": "app_home_opened", "user": "U0LEAD1", "tab": "home"})
    view = slack.standin.wait_for(lambda: slack.standin.published_home("U0LEAD1"))
    assert "Escalation KPIs, last 30 days" in str(view["blocks"])
    assert any(b["type"] == "image" for b in view["blocks"])  # the trend chart, uploaded
    assert slack.standin.calls_to("files.completeUploadExternal")


def test_agents_see_their_shift_switch(slack: LocalSlack) -> None:
    assert slack.sender is not None
    slack.sender.event({"type": "app_home_opened", "user": "U0AGENT1", "tab": "home"})
    view = slack.standin.wait_for(lambda: slack.standin.published_home("U0AGENT1"))
    assert "shift_off" in str(view["blocks"])  # on shift by default: the button switches off
    assert "Escalation KPIs" not in str(view["blocks"])


def test_the_dashboard_still_publishes_when_slack_refuses_the_fresh_chart(
    slack: LocalSlack,
) -> None:
    assert slack.sender is not None
    slack.standin.fail_next("views.publish", status=200, error="invalid_blocks", times=1)
    slack.sender.event({"type": "app_home_opened", "user": "U0LEAD1", "tab": "home"})
    view = slack.standin.wait_for(lambda: slack.standin.published_home("U0LEAD1"))
    assert not any(b["type"] == "image" for b in view["blocks"])
    assert "Trend chart unavailable" in str(view["blocks"])
    assert [c.error for c in slack.standin.calls_to("views.publish")] == ["invalid_blocks", None]
