"""The stand-in's ``views.*`` methods: modals and App Home tabs."""

from __future__ import annotations

import copy
from typing import Any

from standins.slack.args import text_arg
from standins.slack.errors import SlackMethodError, invalid_arguments
from standins.slack.validation import checked_view, stored_blocks
from standins.slack.workspace import Workspace

Args = dict[str, Any]
Reply = dict[str, Any]


def _trigger(ws: Workspace, args: Args) -> None:
    trigger_id = text_arg(args, "trigger_id")
    if trigger_id is None:
        if text_arg(args, "interactivity_pointer") is None:
            raise SlackMethodError("invalid_trigger_id")
        return
    ws.consume_trigger(trigger_id)


def _modal(ws: Workspace, args: Args, **fields: Any) -> dict[str, Any]:
    view = checked_view(args.get("view"), expected_type="modal")
    stored = ws.store_view({**view, "blocks": stored_blocks(view["blocks"])}, **fields)
    ws.opened_views.append(stored)
    return stored


def views_open(ws: Workspace, args: Args) -> Reply:
    """``views.open``: open a modal for a fresh trigger."""
    checked_view(args.get("view"), expected_type="modal")
    _trigger(ws, args)
    stored = _modal(ws, args, root_view_id=None, previous_view_id=None)
    stored["root_view_id"] = stored["id"]
    return {"ok": True, "view": copy.deepcopy(stored)}


def views_push(ws: Workspace, args: Args) -> Reply:
    """``views.push``: push a modal onto the open stack."""
    checked_view(args.get("view"), expected_type="modal")
    _trigger(ws, args)
    stored = _modal(ws, args, previous_view_id=None)
    stored.setdefault("root_view_id", stored["id"])
    return {"ok": True, "view": copy.deepcopy(stored)}


def views_publish(ws: Workspace, args: Args) -> Reply:
    """``views.publish``: set a user's App Home tab."""
    user_id = text_arg(args, "user_id") or ""
    if user_id not in ws.users:
        raise SlackMethodError("user_not_found")
    view = checked_view(args.get("view"), expected_type="home")
    current = ws.home_views.get(user_id)
    expected_hash = text_arg(args, "hash")
    if current is not None and expected_hash is not None and expected_hash != current["hash"]:
        raise SlackMethodError("hash_conflict")
    stored = ws.store_view(
        {**view, "blocks": stored_blocks(view["blocks"])},
        view_id=current["id"] if current else None,
    )
    ws.home_views[user_id] = stored
    return {"ok": True, "view": copy.deepcopy(stored)}


def views_update(ws: Workspace, args: Args) -> Reply:
    """``views.update``: replace a view found by ``view_id`` or ``external_id``."""
    view_id = text_arg(args, "view_id")
    external_id = text_arg(args, "external_id")
    if view_id is None and external_id is None:
        raise invalid_arguments("either view_id or external_id is required")
    if view_id is not None:
        current = ws.views.get(view_id)
    else:
        current = next((v for v in ws.views.values() if v.get("external_id") == external_id), None)
    if current is None:
        raise SlackMethodError("not_found")
    view = checked_view(args.get("view"), expected_type=current.get("type"))
    expected_hash = text_arg(args, "hash")
    if expected_hash is not None and expected_hash != current["hash"]:
        raise SlackMethodError("hash_conflict")
    keep = {k: current[k] for k in ("root_view_id", "previous_view_id") if k in current}
    stored = ws.store_view(
        {**view, "blocks": stored_blocks(view["blocks"])}, view_id=current["id"], **keep
    )
    for user_id, home in list(ws.home_views.items()):
        if home["id"] == stored["id"]:
            ws.home_views[user_id] = stored
    return {"ok": True, "view": copy.deepcopy(stored)}
