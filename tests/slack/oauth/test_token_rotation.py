"""Rotating tokens: an expiring token is refreshed once, even by several processes at once."""

from __future__ import annotations

import threading
from collections.abc import Callable

from slack_bolt import BoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from app.db.engine import make_engine
from app.slack.client import build_web_client
from app.slack.oauth.token_refresh import SerializedTokenAuthorize
from standins.local_slack import LocalSlack
from standins.slack.installer import install

ONE_HOUR = 3600  # shorter than the 120 minutes before expiry at which the app refreshes


def _refreshes(slack: LocalSlack) -> list[str | None]:
    return [
        call.error
        for call in slack.standin.calls_to("oauth.v2.access")
        if call.args.get("grant_type") == "refresh_token"
    ]


def test_an_expiring_token_is_refreshed_before_the_event_is_handled(
    oauth_slack: LocalSlack,
) -> None:
    oauth_slack.standin.oauth.token_lifetime_seconds = ONE_HOUR
    install(oauth_slack.app_url, oauth_slack.standin, "T0ALPHA", team_name="Alpha")
    oauth_slack.standin.oauth.token_lifetime_seconds = 12 * ONE_HOUR
    oauth_slack.standin.oauth.advance(ONE_HOUR + 1)  # the installed token has now expired
    sender = oauth_slack.sender_for("T0ALPHA")
    sender.event({"type": "app_home_opened", "user": "U0AGENT1", "tab": "home"})
    oauth_slack.standin.wait_for(lambda: oauth_slack.standin.published_home("U0AGENT1"))
    assert _refreshes(oauth_slack) == [None]  # one refresh, accepted
    [publish] = oauth_slack.standin.calls_to("views.publish")
    assert publish.ok and publish.team_id == "T0ALPHA"  # with the fresh token: the old one expired
    # the next event uses the stored fresh token without refreshing again
    sender.event({"type": "app_home_opened", "user": "U0AGENT2", "tab": "home"})
    oauth_slack.standin.wait_for(lambda: oauth_slack.standin.published_home("U0AGENT2"))
    assert _refreshes(oauth_slack) == [None]


def _concurrent_authorize(
    slack: LocalSlack, build: Callable[..., InstallationStoreAuthorize], processes: int
) -> list[AuthorizeResult | None]:
    """``processes`` app instances (each its own engine and client) authorize at once."""
    assert slack.runtime is not None
    settings = slack.runtime.settings
    assert settings.slack_client_id and settings.slack_client_secret
    barrier = threading.Barrier(processes)
    results: list[AuthorizeResult | None] = [None] * processes
    engines = [make_engine(settings.database_url) for _ in range(processes)]

    def instance(index: int) -> None:
        client = build_web_client(settings)
        store = SQLAlchemyInstallationStore(
            client_id=settings.slack_client_id or "", engine=engines[index]
        )
        authorize = build(
            engine=engines[index],
            installation_store=store,
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret.get_secret_value(),  # type: ignore[union-attr]
            client=client,
            token_rotation_expiration_minutes=120,
        )
        context = BoltContext({"client": client, "is_enterprise_install": False})
        barrier.wait()
        results[index] = authorize(
            context=context, enterprise_id=None, team_id="T0ALPHA", user_id=None
        )

    threads = [threading.Thread(target=instance, args=(i,)) for i in range(processes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for engine in engines:
        engine.dispose()
    return results


def test_concurrent_refreshers_spend_the_refresh_token_once(oauth_slack: LocalSlack) -> None:
    oauth_slack.standin.oauth.token_lifetime_seconds = ONE_HOUR
    install(oauth_slack.app_url, oauth_slack.standin, "T0ALPHA", team_name="Alpha")
    oauth_slack.standin.oauth.token_lifetime_seconds = 12 * ONE_HOUR
    results = _concurrent_authorize(oauth_slack, SerializedTokenAuthorize, processes=4)
    assert _refreshes(oauth_slack) == [None]
    tokens = {result.bot_token for result in results if result is not None}
    assert len(tokens) == 1 and None not in [r for r in results]
    assert oauth_slack.standin.oauth.team_of(tokens.pop() or "") is not None


def _unserialized(**kwargs: object) -> InstallationStoreAuthorize:
    kwargs.pop("engine")
    return InstallationStoreAuthorize(logger=__import__("logging").getLogger("test"), **kwargs)  # type: ignore[arg-type]


def test_without_the_lease_concurrent_refreshers_race(oauth_slack: LocalSlack) -> None:
    """What the lease prevents: Bolt's own authorization refreshes in every process."""
    oauth_slack.standin.oauth.token_lifetime_seconds = ONE_HOUR
    install(oauth_slack.app_url, oauth_slack.standin, "T0ALPHA", team_name="Alpha")
    _concurrent_authorize(oauth_slack, _unserialized, processes=2)
    assert len(_refreshes(oauth_slack)) >= 2
    assert "invalid_refresh_token" in _refreshes(oauth_slack)
