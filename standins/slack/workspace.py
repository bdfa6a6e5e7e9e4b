"""The stand-in's workspace: our team, its bot, channels, users, messages and views."""

from __future__ import annotations

import copy
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from standins.slack.errors import SlackMethodError

TS_PATTERN = re.compile(r"^\d{1,12}(\.\d{1,6})?$")
FIRST_TS_MICROS = 1_700_000_000_000_100
TS_STEP_MICROS = 100


def ts_micros(ts: str) -> int:
    """A ``1700000000.000100`` timestamp as whole microseconds (for ordering)."""
    seconds, _, fraction = ts.partition(".")
    return int(seconds) * 1_000_000 + int((fraction or "0").ljust(6, "0")[:6])


def is_ts(value: str) -> bool:
    """Whether ``value`` looks like a Slack message timestamp."""
    return bool(TS_PATTERN.match(value))


@dataclass
class Channel:
    """A conversation the bot may post in."""

    id: str
    name: str
    is_ext_shared: bool = False
    bot_is_member: bool = True
    is_archived: bool = False
    created: int = 1_700_000_000

    def as_slack(self, team_id: str) -> dict[str, Any]:
        """The channel object ``conversations.info`` returns."""
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": False,
            "is_archived": self.is_archived,
            "is_general": False,
            "is_shared": self.is_ext_shared,
            "is_ext_shared": self.is_ext_shared,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            "is_member": self.bot_is_member,
            "context_team_id": team_id,
            "shared_team_ids": [team_id],
            "created": self.created,
            "creator": "",
            "unlinked": 0,
        }


@dataclass
class User:
    """A person (or bot) that ``users.info`` knows."""

    id: str
    team_id: str
    name: str
    real_name: str | None = None
    email: str | None = None
    is_bot: bool = False

    def as_slack(self) -> dict[str, Any]:
        """The user object ``users.info`` returns."""
        real_name = self.real_name or self.name
        profile: dict[str, Any] = {
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": self.name,
            "display_name_normalized": self.name,
            "team": self.team_id,
        }
        if self.email:
            profile["email"] = self.email
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "real_name": real_name,
            "deleted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "is_admin": False,
            "is_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "tz": "Etc/UTC",
            "tz_offset": 0,
            "profile": profile,
        }


@dataclass
class Workspace:
    """Everything the stand-in knows; callers hold the stand-in's lock."""

    team_id: str = "T0OURS"
    team_name: str = "Our Support Team"
    domain: str = "oursupport"
    bot_user_id: str = "U0BOT"
    bot_id: str = "B0BOT"
    app_id: str = "A0APP"
    bot_name: str = "escalation-bot"
    channels: dict[str, Channel] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ephemerals: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    home_views: dict[str, dict[str, Any]] = field(default_factory=dict)
    opened_views: list[dict[str, Any]] = field(default_factory=list)
    used_triggers: set[str] = field(default_factory=set)
    # Message timestamps from the wall clock, as Slack's (for readers that page by ``oldest``);
    # by default a fixed, repeatable sequence.
    wall_clock_ts: bool = False
    _last_ts_micros: int = FIRST_TS_MICROS - TS_STEP_MICROS
    _view_count: int = 0

    def __post_init__(self) -> None:
        self.users.setdefault(
            self.bot_user_id,
            User(self.bot_user_id, team_id=self.team_id, name=self.bot_name, is_bot=True),
        )

    # -- identifiers -------------------------------------------------------------------------

    def next_ts(self) -> str:
        """A new message timestamp, later than every one seen so far."""
        self._last_ts_micros += TS_STEP_MICROS
        if self.wall_clock_ts:
            self._last_ts_micros = max(self._last_ts_micros, int(time.time() * 1_000_000))
        value = self._last_ts_micros
        return f"{value // 1_000_000}.{value % 1_000_000:06d}"

    def note_ts(self, ts: str) -> None:
        """Keep generated timestamps later than an externally chosen one."""
        self._last_ts_micros = max(self._last_ts_micros, ts_micros(ts))

    def next_view_id(self) -> str:
        """A new view id (``V0...``)."""
        self._view_count += 1
        return f"V0{self._view_count:09d}"

    # -- channels and messages ----------------------------------------------------------------

    def channel(self, channel_id: str | None) -> Channel:
        """The channel, or ``channel_not_found``."""
        found = self.channels.get(channel_id or "")
        if found is None:
            raise SlackMethodError("channel_not_found")
        return found

    def postable_channel(self, channel_id: str | None) -> Channel:
        """A channel the bot can post in (by id, or by name as Slack allows for posting)."""
        name = (channel_id or "").removeprefix("#")
        by_name = next((c for c in self.channels.values() if c.name == name), None)
        channel = self.channels.get(channel_id or "") or by_name or self.channel(channel_id)
        if channel.is_archived:
            raise SlackMethodError("is_archived")
        if not channel.bot_is_member:
            raise SlackMethodError("not_in_channel")
        return channel

    def find_message(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        """The stored message with this ``ts`` (top-level or reply), if any."""
        return next((m for m in self.messages.get(channel_id, []) if m["ts"] == ts), None)

    def store_message(self, channel_id: str, message: dict[str, Any]) -> None:
        """Keep a message in ``ts`` order and update its thread parent's reply fields."""
        bucket = self.messages.setdefault(channel_id, [])
        bucket.append(message)
        bucket.sort(key=lambda m: ts_micros(m["ts"]))
        thread_ts = message.get("thread_ts")
        if not thread_ts or thread_ts == message["ts"]:
            return
        parent = self.find_message(channel_id, thread_ts)
        if parent is None:
            return
        message.setdefault("parent_user_id", parent.get("user"))
        parent["thread_ts"] = thread_ts
        replies = [m for m in bucket if m.get("thread_ts") == thread_ts and m is not parent]
        parent["reply_count"] = len(replies)
        reply_users = list(dict.fromkeys(m.get("user") for m in replies if m.get("user")))
        parent["reply_users"] = reply_users
        parent["reply_users_count"] = len(reply_users)
        parent["latest_reply"] = replies[-1]["ts"]

    def bot_message(self, **fields: Any) -> dict[str, Any]:
        """A message authored by our bot, as Slack stores it."""
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": self.bot_name,
                "team_id": self.team_id,
                "deleted": False,
            },
        }
        message.update({k: v for k, v in fields.items() if v is not None})
        return message

    def is_ours(self, message: dict[str, Any]) -> bool:
        """Whether our bot wrote the message (so it may edit or delete it)."""
        return message.get("bot_id") == self.bot_id or message.get("user") == self.bot_user_id

    def top_level(self, channel_id: str) -> list[dict[str, Any]]:
        """Channel-level messages (thread parents, plain posts, broadcasts), oldest first."""
        return [
            m
            for m in self.messages.get(channel_id, [])
            if not m.get("thread_ts")
            or m.get("thread_ts") == m["ts"]
            or m.get("subtype") == "thread_broadcast"
        ]

    def replies(self, channel_id: str, thread_ts: str) -> list[dict[str, Any]]:
        """A thread's replies (without its parent), oldest first."""
        return [
            m
            for m in self.messages.get(channel_id, [])
            if m.get("thread_ts") == thread_ts and m["ts"] != thread_ts
        ]

    def permalink(self, channel_id: str, message: dict[str, Any]) -> str:
        """The message's ``https://<domain>.slack.com/archives/...`` link."""
        ts_digits = message["ts"].replace(".", "")
        link = f"https://{self.domain}.slack.com/archives/{channel_id}/p{ts_digits}"
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != message["ts"]:
            link += f"?thread_ts={thread_ts}&cid={channel_id}"
        return link

    # -- views -------------------------------------------------------------------------------

    def consume_trigger(self, trigger_id: str) -> None:
        """A trigger opens one view only; a second use is ``exchanged_trigger_id``."""
        if trigger_id in self.used_triggers:
            raise SlackMethodError("exchanged_trigger_id")
        self.used_triggers.add(trigger_id)

    def store_view(
        self, view: dict[str, Any], *, view_id: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """Keep a view as Slack returns it (id, hash, state, app and team ids)."""
        stored = copy.deepcopy(view)
        stored.update(
            {
                "id": view_id or self.next_view_id(),
                "team_id": self.team_id,
                "app_id": self.app_id,
                "bot_id": self.bot_id,
                "app_installed_team_id": self.team_id,
                "hash": f"{len(self.views) + 1}.{secrets.token_hex(4)}",
                "state": {"values": {}},
                "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", ""),
                "external_id": view.get("external_id", ""),
                "clear_on_close": bool(view.get("clear_on_close", False)),
                "notify_on_close": bool(view.get("notify_on_close", False)),
            }
        )
        stored.update(fields)
        self.views[stored["id"]] = stored
        return stored
