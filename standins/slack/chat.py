"""The stand-in's ``chat.*`` and ``reactions.add`` methods."""

from __future__ import annotations

import copy
import re
from typing import Any

from standins.slack.args import bool_arg, text_arg
from standins.slack.errors import SlackMethodError
from standins.slack.validation import message_content
from standins.slack.workspace import Workspace, is_ts

Args = dict[str, Any]
Reply = dict[str, Any]

EVENT_TYPE = re.compile(r"^[A-Za-z0-9_]{1,255}$")
EMOJI_NAME = re.compile(r"^[a-z0-9_+'\-]+(::skin-tone-[2-6])?$")


def post_message(ws: Workspace, args: Args) -> Reply:
    """``chat.postMessage``: store a bot message (a thread reply when ``thread_ts``)."""
    channel = ws.postable_channel(text_arg(args, "channel"))
    content = message_content(args)
    thread_ts = text_arg(args, "thread_ts")
    if thread_ts is not None and not is_ts(thread_ts):
        raise SlackMethodError("invalid_thread_ts")
    broadcast = bool(thread_ts) and bool_arg(args, "reply_broadcast")
    message = ws.bot_message(
        text=content.text,
        blocks=content.blocks,
        attachments=content.attachments,
        thread_ts=thread_ts,
        subtype="thread_broadcast" if broadcast else None,
        metadata=_metadata(args),
        ts=ws.next_ts(),
    )
    ws.store_message(channel.id, message)
    return {
        "ok": True,
        "channel": channel.id,
        "ts": message["ts"],
        "message": copy.deepcopy(message),
    }


def _metadata(args: Args) -> dict[str, Any] | None:
    """``metadata``: an ``event_type`` name and an ``event_payload`` object, as Slack checks."""
    metadata = args.get("metadata")
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        raise SlackMethodError("invalid_metadata_format")
    event_type, payload = metadata.get("event_type"), metadata.get("event_payload")
    if not isinstance(event_type, str) or not EVENT_TYPE.match(event_type):
        raise SlackMethodError("invalid_metadata_format")
    if not isinstance(payload, dict):
        raise SlackMethodError("invalid_metadata_format")
    return {"event_type": event_type, "event_payload": copy.deepcopy(payload)}


def update(ws: Workspace, args: Args) -> Reply:
    """``chat.update``: replace text/blocks of a message our bot posted."""
    channel = ws.postable_channel(text_arg(args, "channel"))
    ts = text_arg(args, "ts") or ""
    message = ws.find_message(channel.id, ts)
    if message is None:
        raise SlackMethodError("message_not_found")
    if not ws.is_ours(message):
        raise SlackMethodError("cant_update_message")
    content = message_content(args)
    message["text"] = content.text
    for name, value in (("blocks", content.blocks), ("attachments", content.attachments)):
        if value is not None:
            message[name] = value
        elif name in args:
            message.pop(name, None)
    message["edited"] = {"user": ws.bot_user_id, "ts": ws.next_ts()}
    return {
        "ok": True,
        "channel": channel.id,
        "ts": ts,
        "text": content.text,
        "message": copy.deepcopy(message),
    }


def post_ephemeral(ws: Workspace, args: Args) -> Reply:
    """``chat.postEphemeral``: a message only one user sees (a user the workspace knows)."""
    channel = ws.postable_channel(text_arg(args, "channel"))
    user = text_arg(args, "user") or ""
    if user not in ws.users:
        raise SlackMethodError("user_not_in_channel")
    content = message_content(args)
    message_ts = ws.next_ts()
    ws.ephemerals.setdefault(user, []).append(
        {
            "channel": channel.id,
            "user": user,
            "text": content.text,
            "blocks": content.blocks,
            "attachments": content.attachments,
            "thread_ts": text_arg(args, "thread_ts"),
            "message_ts": message_ts,
        }
    )
    return {"ok": True, "message_ts": message_ts}


def delete(ws: Workspace, args: Args) -> Reply:
    """``chat.delete``: remove a message our bot posted."""
    channel = ws.channel(text_arg(args, "channel"))
    ts = text_arg(args, "ts") or ""
    message = ws.find_message(channel.id, ts)
    if message is None:
        raise SlackMethodError("message_not_found")
    if not ws.is_ours(message):
        raise SlackMethodError("cant_delete_message")
    ws.messages[channel.id].remove(message)
    return {"ok": True, "channel": channel.id, "ts": ts}


def get_permalink(ws: Workspace, args: Args) -> Reply:
    """``chat.getPermalink``: the link of a stored message."""
    channel = ws.channel(text_arg(args, "channel"))
    message = ws.find_message(channel.id, text_arg(args, "message_ts") or "")
    if message is None:
        raise SlackMethodError("message_not_found")
    return {"ok": True, "channel": channel.id, "permalink": ws.permalink(channel.id, message)}


def add_reaction(ws: Workspace, args: Args) -> Reply:
    """``reactions.add``: our bot reacts to a stored message."""
    name = text_arg(args, "name") or ""
    if not EMOJI_NAME.match(name):
        raise SlackMethodError("invalid_name")
    timestamp = text_arg(args, "timestamp") or ""
    if not is_ts(timestamp):
        raise SlackMethodError("bad_timestamp")
    channel = ws.channel(text_arg(args, "channel"))
    message = ws.find_message(channel.id, timestamp)
    if message is None:
        raise SlackMethodError("message_not_found")
    reactions: list[dict[str, Any]] = message.setdefault("reactions", [])
    reaction = next((r for r in reactions if r["name"] == name), None)
    if reaction is None:
        reaction = {"name": name, "users": [], "count": 0}
        reactions.append(reaction)
    if ws.bot_user_id in reaction["users"]:
        raise SlackMethodError("already_reacted")
    reaction["users"].append(ws.bot_user_id)
    reaction["count"] = len(reaction["users"])
    return {"ok": True}
