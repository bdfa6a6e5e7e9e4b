"""Installing the app into workspaces: the install page, the redirect, the state check."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.db import installation_tables as tables
from app.slack.oauth.install_flow import BOT_SCOPES
from standins.local_slack import LocalSlack
from standins.slack.installer import finish_install, install, open_install_page


def _installed_teams(slack: LocalSlack) -> list[str | None]:
    assert slack.runtime is not None
    with slack.runtime.engine.connect() as connection:
        rows = connection.execute(select(tables.installations.c.team_id)).all()
    return sorted(row.team_id for row in rows)


def test_install_page_links_to_slack_with_our_scopes_and_a_state(oauth_slack: LocalSlack) -> None:
    start = open_install_page(oauth_slack.app_url)
    assert "Add to Slack" in start.page.body
    assert start.query["client_id"] == [oauth_slack.standin.oauth.client_id]
    assert start.query["scope"][0].split(",") == list(BOT_SCOPES)
    assert start.query["state"][0] in start.cookie  # the browser carries the state back


def test_two_workspaces_install_and_get_their_own_tokens(oauth_slack: LocalSlack) -> None:
    first = install(oauth_slack.app_url, oauth_slack.standin, "T0ALPHA", team_name="Alpha")
    second = install(oauth_slack.app_url, oauth_slack.standin, "T0BETA", team_name="Beta")
    assert first.status == 200 and "installed in <b>Alpha</b>" in first.body
    assert second.status == 200 and "installed in <b>Beta</b>" in second.body
    assert _installed_teams(oauth_slack) == ["T0ALPHA", "T0BETA"]
    exchanges = oauth_slack.standin.calls_to("oauth.v2.access")
    assert [call.ok for call in exchanges] == [True, True]
    # the new bot token is checked with auth.test, against the stand-in (SLACK_API_URL)
    assert {c.team_id for c in oauth_slack.standin.calls_to("auth.test")} >= {"T0ALPHA", "T0BETA"}


def test_a_forged_state_gets_a_clear_error_page_and_installs_nothing(
    oauth_slack: LocalSlack,
) -> None:
    start = open_install_page(oauth_slack.app_url)
    code = oauth_slack.standin.oauth.approve("T0ALPHA", team_name="Alpha")
    forged = start.query["state"][0][:-4] + "0000"
    page = finish_install(
        oauth_slack.app_url, code=code, state=forged, cookie=f"slack-app-oauth-state={forged}"
    )
    assert page.status == 401
    assert "install link has expired or was already used" in page.body
    assert "Start the installation again" in page.body
    assert _installed_teams(oauth_slack) == []
    assert oauth_slack.standin.calls_to("oauth.v2.access") == []


def test_a_used_state_cannot_install_twice(oauth_slack: LocalSlack) -> None:
    start = open_install_page(oauth_slack.app_url)
    state = start.query["state"][0]
    code = oauth_slack.standin.oauth.approve("T0ALPHA", team_name="Alpha")
    assert (
        finish_install(oauth_slack.app_url, code=code, state=state, cookie=start.cookie).status
        == 200
    )
    again = oauth_slack.standin.oauth.approve("T0BETA", team_name="Beta")
    page = finish_install(oauth_slack.app_url, code=again, state=state, cookie=start.cookie)
    assert page.status == 401 and "expired or was already used" in page.body
    assert _installed_teams(oauth_slack) == ["T0ALPHA"]


def test_an_expired_state_is_refused(oauth_slack: LocalSlack) -> None:
    assert oauth_slack.runtime is not None
    start = open_install_page(oauth_slack.app_url)
    with oauth_slack.runtime.engine.begin() as connection:
        connection.execute(tables.oauth_states.update().values(expire_at=datetime(2020, 1, 1)))
    code = oauth_slack.standin.oauth.approve("T0ALPHA", team_name="Alpha")
    page = finish_install(
        oauth_slack.app_url, code=code, state=start.query["state"][0], cookie=start.cookie
    )
    assert page.status == 401 and "expired" in page.body
    assert _installed_teams(oauth_slack) == []


def test_a_state_from_another_browser_is_refused(oauth_slack: LocalSlack) -> None:
    start = open_install_page(oauth_slack.app_url)
    code = oauth_slack.standin.oauth.approve("T0ALPHA", team_name="Alpha")
    page = finish_install(
        oauth_slack.app_url, code=code, state=start.query["state"][0], cookie=None
    )
    assert page.status == 400 and "different browser" in page.body
    assert _installed_teams(oauth_slack) == []


def test_a_cancelled_installation_says_so(oauth_slack: LocalSlack) -> None:
    start = open_install_page(oauth_slack.app_url)
    page = finish_install(
        oauth_slack.app_url,
        code=None,
        state=start.query["state"][0],
        cookie=start.cookie,
        error="access_denied",
    )
    assert "cancelled" in page.body
    assert _installed_teams(oauth_slack) == []


def test_a_code_slack_refuses_gets_a_clear_error_page(oauth_slack: LocalSlack) -> None:
    start = open_install_page(oauth_slack.app_url)
    page = finish_install(
        oauth_slack.app_url, code="1.not-issued", state=start.query["state"][0], cookie=start.cookie
    )
    assert page.status == 401 and "did not accept the authorization code" in page.body
    [call] = oauth_slack.standin.calls_to("oauth.v2.access")
    assert call.error == "invalid_code"
    assert _installed_teams(oauth_slack) == []


def test_the_scopes_asked_for_are_the_manifests() -> None:
    import yaml

    from tests.conftest import REPO_ROOT

    manifest = yaml.safe_load((REPO_ROOT / "manifest.yml").read_text())
    assert list(BOT_SCOPES) == manifest["oauth_config"]["scopes"]["bot"]


def test_every_client_of_the_oauth_flow_uses_slack_api_url(oauth_slack: LocalSlack) -> None:
    from app.slack.bolt_app import create_bolt_app
    from app.slack.oauth.token_refresh import SerializedTokenAuthorize

    assert oauth_slack.runtime is not None
    app = create_bolt_app(oauth_slack.runtime)
    assert app.oauth_flow is not None
    authorize = app.oauth_flow.settings.authorize
    assert isinstance(authorize, SerializedTokenAuthorize)
    assert authorize.token_rotator is not None
    for client in (app.client, app.oauth_flow.client, authorize.token_rotator.client):
        assert client.base_url == oauth_slack.standin.url
