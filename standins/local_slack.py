"""The real app in HTTP mode wired to the local Slack stand-in: for the demo and scenario tests.

Everything goes over loopback HTTP as with Slack: the stand-in serves the Web API the app calls,
and requests reach the app's ``/slack/events`` endpoint signed with the signing secret.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.config import Settings, load_settings
from app.config_file import EscalationConfig, load_config
from app.db.models import Conversation, Message, SlackEvent
from app.runtime import Runtime, bootstrap
from app.slack.bolt_app import create_bolt_app
from app.slack.bounded_executor import BoundedExecutor
from app.web.threaded_server import BackgroundServer
from app.web.wsgi import SLACK_PATH, create_wsgi_app
from standins.slack.oauth import bot_user_id_for
from standins.slack.signed_requests import SentMessage, SlackRequestSender
from standins.slack.standin import SlackStandin

OUR_TEAM = "T0OURS"
BOT_TOKEN = "xoxb-local-sandbox"  # noqa: S105 (accepted by the local stand-in only)


@dataclass(frozen=True)
class Customer:
    user_id: str
    team_id: str
    name: str


class LocalSlack:
    """Stand-in + app server + signed-request sender, seeded from a config file."""

    def __init__(
        self,
        *,
        database_url: str,
        config_path: Path,
        standin: SlackStandin | None = None,
        oauth: bool = False,
        **settings: Any,
    ) -> None:
        self.config: EscalationConfig = load_config(config_path)
        self.standin = standin or SlackStandin(bot_token=BOT_TOKEN)
        self._signing_secret = secrets.token_hex(16)
        self._database_url = database_url
        self._config_path = config_path
        self._extra_settings = settings
        self.oauth = oauth
        self._server: BackgroundServer | None = None
        self._executor: BoundedExecutor | None = None
        self.runtime: Runtime | None = None
        self.sender: SlackRequestSender | None = None

    def __enter__(self) -> LocalSlack:
        self.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        self.standin.start()
        self._seed_workspace()
        credentials: dict[str, Any] = (
            {
                "slack_client_id": self.standin.oauth.client_id,
                "slack_client_secret": self.standin.oauth.client_secret,
                "slack_state_secret": secrets.token_hex(16),
            }
            if self.oauth
            else {"slack_bot_token": self.standin.bot_token}
        )
        settings: Settings = load_settings(
            **credentials,
            slack_signing_secret=self._signing_secret,
            slack_api_url=self.standin.url,
            database_url=self._database_url,
            escalation_config=self._config_path,
            **self._extra_settings,
        )
        self.runtime = bootstrap(settings, auto_upgrade=True)
        self._executor = BoundedExecutor(thread_name_prefix="listener")
        bolt_app = create_bolt_app(self.runtime, executor=self._executor)
        self._server = BackgroundServer(
            create_wsgi_app(
                bolt_app, engine=self.runtime.engine, signing_secret=self._signing_secret
            )
        )
        self._server.start()
        self.sender = SlackRequestSender(
            self._server.url + SLACK_PATH,
            self._signing_secret,
            team_id=OUR_TEAM,
            response_url_base=self.standin.response_url_base,
        )

    def sender_for(self, team_id: str) -> SlackRequestSender:
        """Signed requests as Slack sends them for the installation in workspace ``team_id``."""
        assert self._server is not None
        return SlackRequestSender(
            self._server.url + SLACK_PATH,
            self._signing_secret,
            team_id=team_id,
            bot_user_id=bot_user_id_for(team_id),
            response_url_base=self.standin.response_url_base,
        )

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        if self._executor is not None:
            self._executor.shutdown(wait=True)  # let work in flight finish before Slack goes
        if self.runtime is not None:
            self.runtime.engine.dispose()
        self.standin.stop()

    @property
    def app_url(self) -> str:
        assert self._server is not None
        return self._server.url

    def customer_of(self, channel: str, *, name: str = "Jordan") -> Customer:
        """A user of the account's own organisation (a Slack Connect guest of the channel)."""
        account = next(
            (
                found
                for team in self._team_configs().values()
                if (found := team.account_for_channel(channel)) is not None
            ),
            None,
        )
        assert account is not None, f"{channel} belongs to no account"
        team_id = "T0" + "".join(ch for ch in account.name.upper() if ch.isalnum())[:8]
        user_id = "U0" + "".join(ch for ch in (account.name + name).upper() if ch.isalnum())[:9]
        self.standin.add_user(user_id, team_id=team_id, name=name.lower(), real_name=name)
        return Customer(user_id=user_id, team_id=team_id, name=name)

    def say(
        self,
        channel: str,
        *,
        user: str,
        team: str,
        text: str,
        thread_ts: str | None = None,
        installation: str | None = None,
    ) -> SentMessage:
        """Someone posts: the message appears in the stand-in's channel and Slack delivers the
        signed event to the app (for the ``installation`` team's install, in OAuth mode);
        returns once the app has finished processing it."""
        sender = self.sender_for(installation) if installation else self.sender
        assert sender is not None
        ts = self.standin.add_message(channel, user=user, text=text, team=team, thread_ts=thread_ts)
        sent = sender.message(channel, user, text, user_team=team, ts=ts, thread_ts=thread_ts)
        self.wait_processed(sent.event_id)
        return sent

    def wait_processed(self, event_id: str, *, timeout: float = 10.0) -> str:
        """Wait until the stored event has finished (done, ignored or failed); its status."""
        assert self.runtime is not None
        engine = self.runtime.engine

        def status() -> str:
            with Session(engine) as session:
                row = session.get(SlackEvent, event_id)
                return row.status if row and row.status not in ("received", "queued") else ""

        return self.standin.wait_for(status, timeout=timeout)

    def standin_channel_names(self) -> dict[str, str]:
        return {channel.id: channel.name for channel in self.standin.workspace.channels.values()}

    def counts(self) -> tuple[int, int]:
        """How many conversations and messages the app has stored."""
        assert self.runtime is not None
        with Session(self.runtime.engine) as session:
            conversations = session.exec(select(func.count(col(Conversation.id)))).one()
            messages = session.exec(select(func.count(col(Message.id)))).one()
        return int(conversations), int(messages)

    def _team_configs(self) -> dict[str, EscalationConfig]:
        """The top-level team (our workspace) and each configured installation's."""
        teams = {OUR_TEAM: self.config}
        teams.update({team: self.config.for_team(team) for team in self.config.workspaces})
        return teams

    def _seed_workspace(self) -> None:
        for team_id, config in self._team_configs().items():
            for account in config.accounts:
                slug = "".join(ch if ch.isalnum() else "-" for ch in account.name.lower())
                self.standin.add_channel(account.channel, f"ext-{slug}", is_ext_shared=True)
            internal = {skill: cfg.channel for skill, cfg in config.skills.items()}
            internal["overflow"] = config.overflow_channel
            internal["leads"] = config.leads_channel
            for event, channel in config.alerts.model_dump().items():
                if channel and channel not in internal.values():
                    internal[event] = channel
            for name, channel in internal.items():
                self.standin.add_channel(channel, f"support-{name.replace('_', '-')}")
            for agent in config.agents:
                self.standin.add_user(agent.user, team_id=team_id, name=agent.user.lower())
            for lead in config.leads:
                self.standin.add_user(lead, team_id=team_id, name=lead.lower())
