"""What the sandbox page shows, as JSON: the sidebar, a channel, a thread, an App Home tab and an
open modal, from the stand-in's state, with Block Kit rendered to HTML."""

from __future__ import annotations

from typing import Any

from sandbox.actions import PrivateNote, Sandbox
from sandbox.blockkit_html import blocks_html, message_html, text_html

BOT_NAME = "Support Assistant"
FILES_PATH = "/api/files/"

Json = dict[str, Any]


def file_url(file_id: str) -> str:
    return FILES_PATH + file_id


def names(sandbox: Sandbox) -> dict[str, str]:
    """Display names of users and channels by id (for mentions and channel links)."""
    workspace = sandbox.standin.workspace
    found = {uid: user.real_name or user.name for uid, user in list(workspace.users.items())}
    found.update({cid: channel.name for cid, channel in list(workspace.channels.items())})
    return found


def sidebar(sandbox: Sandbox) -> Json:
    """Channels (customers' Slack Connect channels first, then ours) and people."""
    config = sandbox.local.config
    internal = {cfg.channel: f"agents: {skill}" for skill, cfg in config.skills.items()}
    internal[config.overflow_channel] = "overflow"
    internal[config.leads_channel] = "support leads"
    workspace = sandbox.standin.workspace
    channels = [
        {
            "id": account.channel,
            "name": workspace.channels[account.channel].name,
            "kind": "customer",
            "about": f"Slack Connect with {account.name} ({account.tier})",
        }
        for account in config.accounts
    ] + [
        {"id": cid, "name": workspace.channels[cid].name, "kind": "internal", "about": about}
        for cid, about in internal.items()
    ]
    return {
        "channels": channels,
        "people": [person.as_json() for person in sandbox.people.values()],
        "bot": BOT_NAME,
    }


def _item(sandbox: Sandbox, message: Json, known: dict[str, str], *, private: bool = False) -> Json:
    user = str(message.get("user") or "")
    is_bot = private or bool(message.get("bot_id"))
    person = sandbox.people.get(user)
    return {
        "ts": message.get("ts"),
        "thread_ts": message.get("thread_ts"),
        "author": BOT_NAME if is_bot else known.get(user, user),
        "role": "bot" if is_bot else (person.role if person else "guest"),
        "html": message_html(message, known, file_url=file_url),
        "reply_count": int(message.get("reply_count") or 0),
        "edited": bool(message.get("edited")),
        "private": private,
    }


def _note_item(sandbox: Sandbox, note: PrivateNote, known: dict[str, str]) -> Json:
    item = _item(sandbox, {**note.message, "ts": note.ts}, known, private=True)
    item["thread_ts"] = note.thread_ts
    return item


def channel_feed(sandbox: Sandbox, channel: str, user: str) -> Json:
    """A channel's messages as ``user`` sees them (their private notes included)."""
    name = sandbox.channel_name(channel)
    known = names(sandbox)
    items = [_item(sandbox, m, known) for m in sandbox.standin.messages_in(channel)]
    items += [
        _note_item(sandbox, note, known)
        for note in sandbox.private_notes(user)
        if note.channel == channel and not note.thread_ts
    ]
    items.sort(key=lambda item: float(item["ts"]))
    return {"channel": channel, "name": name, "messages": items}


def thread_feed(sandbox: Sandbox, channel: str, thread_ts: str, user: str) -> Json:
    """A thread: its parent, then the replies as ``user`` sees them."""
    sandbox.channel_name(channel)
    known = names(sandbox)
    parent = sandbox.standin.find_message(channel, thread_ts)
    items = [_item(sandbox, m, known) for m in sandbox.standin.messages_in(channel, thread_ts)]
    items += [
        _note_item(sandbox, note, known)
        for note in sandbox.private_notes(user)
        if note.channel == channel and note.thread_ts == thread_ts
    ]
    items.sort(key=lambda item: float(item["ts"]))
    return {
        "channel": channel,
        "thread_ts": thread_ts,
        "parent": _item(sandbox, parent, known) if parent else None,
        "messages": items,
    }


def home_view(sandbox: Sandbox, user: str) -> Json:
    """The App Home tab last published for ``user`` (``html`` empty until it is)."""
    view = sandbox.standin.published_home(user)
    if view is None:
        return {"view_id": None, "html": ""}
    return {
        "view_id": view["id"],
        "html": blocks_html(view.get("blocks") or [], names(sandbox), file_url=file_url),
    }


def modal_view(sandbox: Sandbox, user: str, errors: dict[str, str] | None = None) -> Json | None:
    """The modal open for ``user``, if any."""
    view = sandbox.open_modal(user)
    if view is None:
        return None
    known = names(sandbox)
    return {
        "view_id": view["id"],
        "hash": view.get("hash"),  # changes when the app updates the modal
        "title": text_html(view.get("title"), known),
        "submit": text_html(view.get("submit") or "Submit", known),
        "close": text_html(view.get("close") or "Cancel", known),
        "html": blocks_html(view.get("blocks") or [], known, file_url=file_url, errors=errors),
    }
