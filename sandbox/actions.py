"""The sandbox's actions: what a visitor does as a customer, an agent or a lead, delivered to the
real app as Slack would (signed events, ``block_actions``, ``view_submission``, slash commands).

It also keeps what Slack shows one person only and the stand-in does not store: answers to
slash commands (the HTTP reply and ``response_url`` posts), and which modals each person has open.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from sandbox.people import Person, seed_people
from standins.local_slack import LocalSlack
from standins.slack.signed_requests import DeliveryResult, SlackRequestSender
from standins.slack.standin import SlackStandin

MAX_TEXT = 4000
MODAL_METHODS = ("views.open", "views.push")
UNKNOWN_COMMAND = (
    "is not a valid command. In Slack, all messages that start with the “/” character are "
    "interpreted as commands."
)


def manifest_commands(manifest: Path) -> frozenset[str] | None:
    """The slash commands an app manifest declares (None when there is no manifest)."""
    if not manifest.is_file():
        return None
    data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
    commands = (data.get("features") or {}).get("slash_commands") or []
    return frozenset(str(c.get("command")) for c in commands if isinstance(c, dict))


class SandboxError(Exception):
    """Something the visitor asked for that cannot be done; the message says why."""


@dataclass(frozen=True)
class Posted:
    """A message written in the sandbox: its ``ts`` and the event delivered to the app."""

    ts: str
    event_id: str


@dataclass(frozen=True)
class PrivateNote:
    """A message only ``user`` sees (an ephemeral, or an answer to their command or click)."""

    user: str
    channel: str
    thread_ts: str | None
    ts: str
    message: dict[str, Any]


def slack_escaped(text: str) -> str:
    """Text as a Slack client sends it: ``&``, ``<`` and ``>`` escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Sandbox:
    """People, channels and the visitor's actions over one running :class:`LocalSlack`."""

    def __init__(self, local: LocalSlack, *, commands: frozenset[str] | None = None) -> None:
        self.local = local
        self.commands = commands  # the app's slash commands (None: send any)
        self.people: dict[str, Person] = {p.user_id: p for p in seed_people(local)}
        config = local.config
        self.customer_channels = {a.channel: a.name for a in config.accounts}
        self._lock = threading.RLock()
        self._answers_for: dict[str, tuple[str, str, str | None]] = {}  # response_url path
        self._notes: list[PrivateNote] = []
        self._seen_posts = 0
        self._triggers: dict[str, str] = {}  # trigger_id -> user
        self._closed_views: set[str] = set()

    @property
    def standin(self) -> SlackStandin:
        return self.local.standin

    @property
    def sender(self) -> SlackRequestSender:
        assert self.local.sender is not None, "the sandbox is not running"
        return self.local.sender

    def person(self, user_id: str) -> Person:
        person = self.people.get(user_id)
        if person is None:
            raise SandboxError(f"Nobody in the sandbox has the id {user_id!r}.")
        return person

    def channel_name(self, channel: str) -> str:
        channel_obj = self.standin.workspace.channels.get(channel)
        if channel_obj is None:
            raise SandboxError(f"There is no channel {channel!r}.")
        return channel_obj.name

    # -- writing ------------------------------------------------------------------------------

    def post(
        self, *, user: str, channel: str, text: str, thread_ts: str | None = None
    ) -> Posted | None:
        """Write in a channel or thread; a ``/command`` runs the command (and returns None)."""
        person = self.person(user)
        name = self.channel_name(channel)
        text = text.strip()
        if not text:
            raise SandboxError("Write something first.")
        if len(text) > MAX_TEXT:
            raise SandboxError(f"Messages are limited to {MAX_TEXT} characters here.")
        if text.startswith("/"):
            self.slash_command(user=user, channel=channel, text=text)
            return None
        if not person.may_write_in(channel):
            raise SandboxError(
                f"{person.name} is not in #{name}: customers write in their own account's channel."
            )
        if thread_ts and self.standin.find_message(channel, thread_ts) is None:
            raise SandboxError("That thread no longer exists.")
        with self._lock:
            slack_text = slack_escaped(text)
            ts = self.standin.add_message(
                channel, user=user, text=slack_text, team=person.team_id, thread_ts=thread_ts
            )
            sent = self.sender.message(
                channel,
                user,
                slack_text,
                user_team=person.team_id,
                ts=ts,
                thread_ts=thread_ts,
                is_ext_shared_channel=channel in self.customer_channels,
            )
        _check(sent.result)
        return Posted(ts, sent.event_id)

    def slash_command(self, *, user: str, channel: str, text: str) -> None:
        """Run ``/command args`` as ``user`` in ``channel``; Slack shows the reply to them."""
        person = self.person(user)
        command, _, argument = text.strip().partition(" ")
        if self.commands is not None and command not in self.commands:
            self._note(user, channel, None, {"text": f"{command} {UNKNOWN_COMMAND}"})
            return
        with self._lock:
            response_url = self._answer_url(user, channel, None)
            result = self.sender.slash_command(
                command,
                argument.strip(),
                user=user,
                user_team=person.team_id,
                channel=channel,
                channel_name=self.channel_name(channel),
                response_url=response_url,
                trigger_id=self._trigger(user),
            )
        _check(result)
        reply = _reply_message(result.body)
        if reply is not None:
            self._note(user, channel, None, reply)

    def click(
        self,
        *,
        user: str,
        action_id: str,
        block_id: str,
        value: str | None = None,
        selected_option: dict[str, Any] | None = None,
        channel: str | None = None,
        message_ts: str | None = None,
        view_id: str | None = None,
    ) -> None:
        """Press a button (or choose in a select) on a message, a modal or an App Home tab."""
        person = self.person(user)
        action_type = "static_select" if selected_option is not None else "button"
        common: dict[str, Any] = {
            "user": user,
            "user_team": person.team_id,
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "selected_option": selected_option,
            "action_type": action_type,
        }
        with self._lock:
            common["trigger_id"] = self._trigger(user)
            if view_id:
                view = self.standin.view(view_id)
                if view is None:
                    raise SandboxError("That view is gone.")
                result = self.sender.block_action(view=view, **common)
            else:
                if not channel or not message_ts:
                    raise SandboxError("A click needs the message's channel and ts.")
                message = self.standin.find_message(channel, message_ts)
                thread_ts = (message or {}).get("thread_ts")
                container = None
                if message is None:  # an ephemeral message: Slack sends no message body
                    container = {
                        "type": "message",
                        "message_ts": message_ts,
                        "channel_id": channel,
                        "is_ephemeral": True,
                    }
                result = self.sender.block_action(
                    channel=channel,
                    message_ts=message_ts,
                    message=message,
                    container=container,
                    response_url=self._answer_url(user, channel, thread_ts),
                    **common,
                )
        _check(result)

    def submit_view(self, *, user: str, view_id: str, values: dict[str, Any]) -> dict[str, str]:
        """Submit an open modal; the app's errors by block id (the modal stays open), or ``{}``."""
        person = self.person(user)
        view = self.standin.view(view_id)
        if view is None or view_id in self._closed_views:
            raise SandboxError("That form is no longer open.")
        with self._lock:
            result = self.sender.view_submission(
                user=user,
                user_team=person.team_id,
                callback_id=str(view.get("callback_id") or ""),
                private_metadata=str(view.get("private_metadata") or ""),
                view_id=view_id,
                blocks=view.get("blocks") or [],
                values=values,
                trigger_id=self._trigger(user),
            )
        _check(result)
        reply = json.loads(result.body) if result.body.strip() else {}
        if isinstance(reply, dict) and reply.get("response_action") == "errors":
            return {str(k): str(v) for k, v in (reply.get("errors") or {}).items()}
        self.close_view(view_id)
        return {}

    def close_view(self, view_id: str) -> None:
        with self._lock:
            self._closed_views.add(view_id)

    def open_home(self, user: str) -> None:
        """The person opens the app's Home tab: Slack sends ``app_home_opened``."""
        self.person(user)
        with self._lock:
            result = self.sender.event(
                {
                    "type": "app_home_opened",
                    "user": user,
                    "channel": "D0" + user[2:],
                    "tab": "home",
                    "event_ts": self.sender.new_ts(),
                }
            )
        _check(result)

    # -- what one person sees -------------------------------------------------------------------

    def open_modal(self, user: str) -> dict[str, Any] | None:
        """The modal most recently opened for ``user``, unless it was submitted or closed."""
        with self._lock:
            mine = {trigger for trigger, who in self._triggers.items() if who == user}
            closed = set(self._closed_views)
        opened = [
            call
            for method in MODAL_METHODS
            for call in self.standin.calls_to(method)
            if call.ok and call.args.get("trigger_id") in mine
        ]
        if not opened:
            return None
        newest = max(opened, key=lambda call: call.time)
        view_id = str(newest.response["view"]["id"])
        return None if view_id in closed else self.standin.view(view_id)

    def private_notes(self, user: str) -> list[PrivateNote]:
        """What only ``user`` sees: ephemerals and answers to their commands and clicks."""
        self._collect_answers()
        with self._lock:
            notes = [note for note in self._notes if note.user == user]
        for ephemeral in self.standin.ephemerals_for(user):
            notes.append(
                PrivateNote(
                    user,
                    str(ephemeral["channel"]),
                    ephemeral.get("thread_ts"),
                    str(ephemeral["message_ts"]),
                    {"text": ephemeral.get("text"), "blocks": ephemeral.get("blocks")},
                )
            )
        return notes

    # -- internals ----------------------------------------------------------------------------

    def _trigger(self, user: str) -> str:
        trigger_id = self.sender.new_trigger_id()
        self._triggers[trigger_id] = user
        return trigger_id

    def _answer_url(self, user: str, channel: str, thread_ts: str | None) -> str:
        url = self.sender.new_response_url()
        self._answers_for[urlsplit(url).path] = (user, channel, thread_ts)
        return url

    def _note(
        self, user: str, channel: str, thread_ts: str | None, message: dict[str, Any]
    ) -> None:
        with self._lock:
            self._notes.append(
                PrivateNote(user, channel, thread_ts, self.standin.next_ts(), message)
            )

    def _collect_answers(self) -> None:
        with self._lock:
            posts = self.standin.response_url_posts()
            for post in posts[self._seen_posts :]:
                target = self._answers_for.get(post.path)
                if target is not None and post.status == 200:
                    self._note(*target, post.payload)
            self._seen_posts = len(posts)


def _check(result: DeliveryResult) -> None:
    if result.status != 200:
        raise SandboxError(f"The app answered HTTP {result.status}: {result.body[:200]}")


def _reply_message(body: str) -> dict[str, Any] | None:
    """A slash command's immediate reply (Bolt's ``ack(text=...)``), if any."""
    body = body.strip()
    if not body:
        return None
    try:
        parsed = json.loads(body)
    except ValueError:
        return {"text": body}
    if isinstance(parsed, dict) and (parsed.get("text") or parsed.get("blocks")):
        return parsed
    return None
