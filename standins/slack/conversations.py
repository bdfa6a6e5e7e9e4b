"""The stand-in's read methods: ``auth.test``, ``conversations.*`` and ``users.info``."""

from __future__ import annotations

import base64
import copy
from typing import Any

from standins.slack.args import bool_arg, int_arg, text_arg
from standins.slack.errors import SlackMethodError
from standins.slack.workspace import Workspace, is_ts, ts_micros

Args = dict[str, Any]
Reply = dict[str, Any]

DEFAULT_LIMIT = 100
MAX_LIMIT = 999


def auth_test(ws: Workspace, args: Args) -> Reply:
    """``auth.test``: who the bot token belongs to."""
    return {
        "ok": True,
        "url": f"https://{ws.domain}.slack.com/",
        "team": ws.team_name,
        "user": ws.bot_name,
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


def conversations_info(ws: Workspace, args: Args) -> Reply:
    """``conversations.info``: the channel object."""
    channel = ws.channel(text_arg(args, "channel"))
    return {"ok": True, "channel": channel.as_slack(ws.team_id)}


def users_info(ws: Workspace, args: Args) -> Reply:
    """``users.info``: a known user, or ``user_not_found``."""
    user = ws.users.get(text_arg(args, "user") or "")
    if user is None:
        raise SlackMethodError("user_not_found")
    return {"ok": True, "user": user.as_slack()}


def _page(items: list[dict[str, Any]], args: Args) -> tuple[list[dict[str, Any]], str]:
    """A page of ``items`` and the cursor of the next one (empty when none)."""
    limit = min(max(int_arg(args, "limit", DEFAULT_LIMIT), 1), MAX_LIMIT)
    cursor = text_arg(args, "cursor")
    start = 0
    if cursor:
        try:
            start = int(base64.b64decode(cursor).decode().removeprefix("offset:"))
        except ValueError:
            raise SlackMethodError("invalid_cursor") from None
    page = items[start : start + limit]
    more = start + limit < len(items)
    next_cursor = base64.b64encode(f"offset:{start + limit}".encode()).decode() if more else ""
    return copy.deepcopy(page), next_cursor


def _between(
    messages: list[dict[str, Any]], args: Args, *, error_prefix: str
) -> list[dict[str, Any]]:
    """Messages within ``oldest``/``latest`` (exclusive unless ``inclusive``)."""
    bounds: dict[str, int | None] = {}
    for name in ("oldest", "latest"):
        value = text_arg(args, name)
        if value is not None and not is_ts(value):
            raise SlackMethodError(f"{error_prefix}_{name}")
        bounds[name] = ts_micros(value) if value else None
    inclusive = bool_arg(args, "inclusive")
    oldest, latest = bounds["oldest"], bounds["latest"]

    def keep(ts: int) -> bool:
        if oldest is not None and (ts < oldest or (ts == oldest and not inclusive)):
            return False
        return latest is None or ts < latest or (ts == latest and inclusive)

    return [m for m in messages if keep(ts_micros(m["ts"]))]


def _with_metadata(page: list[dict[str, Any]], args: Args) -> list[dict[str, Any]]:
    """Message metadata is returned only when asked for with ``include_all_metadata``."""
    if bool_arg(args, "include_all_metadata"):
        return page
    for message in page:
        message.pop("metadata", None)
    return page


def conversations_history(ws: Workspace, args: Args) -> Reply:
    """``conversations.history``: channel-level messages, newest first."""
    channel = ws.channel(text_arg(args, "channel"))
    if not channel.bot_is_member:
        raise SlackMethodError("not_in_channel")
    messages = _between(ws.top_level(channel.id), args, error_prefix="invalid_ts")
    page, next_cursor = _page(list(reversed(messages)), args)
    return {
        "ok": True,
        "messages": _with_metadata(page, args),
        "has_more": bool(next_cursor),
        "pin_count": 0,
        "response_metadata": {"next_cursor": next_cursor},
    }


def conversations_replies(ws: Workspace, args: Args) -> Reply:
    """``conversations.replies``: a thread's parent then its replies, oldest first."""
    channel = ws.channel(text_arg(args, "channel"))
    if not channel.bot_is_member:
        raise SlackMethodError("not_in_channel")
    ts = text_arg(args, "ts") or ""
    parent = ws.find_message(channel.id, ts)
    if parent is None:
        raise SlackMethodError("thread_not_found")
    thread = [parent, *ws.replies(channel.id, ts)]
    page, next_cursor = _page(_between(thread, args, error_prefix="invalid_ts"), args)
    return {
        "ok": True,
        "messages": _with_metadata(page, args),
        "has_more": bool(next_cursor),
        "response_metadata": {"next_cursor": next_cursor},
    }
