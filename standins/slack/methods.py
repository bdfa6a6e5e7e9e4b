"""Which Web API methods exist, which the stand-in implements, and their required arguments."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from standins.slack import chat, conversations, files, views
from standins.slack.args import text_arg
from standins.slack.errors import SlackMethodError, invalid_arguments
from standins.slack.workspace import Workspace

Handler = Callable[[Workspace, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Required:
    """An argument Slack needs (any one of ``names``) and the error it gives without it."""

    names: tuple[str, ...]
    error: str


@dataclass(frozen=True)
class MethodSpec:
    """One implemented method: its handler and required arguments."""

    handler: Handler
    required: tuple[Required, ...] = ()


def _req(*names: str, error: str) -> Required:
    return Required(names=names, error=error)


CHANNEL = _req("channel", error="channel_not_found")

METHODS: Mapping[str, MethodSpec] = {
    "auth.test": MethodSpec(conversations.auth_test),
    "chat.postMessage": MethodSpec(chat.post_message, (CHANNEL,)),
    "chat.update": MethodSpec(chat.update, (CHANNEL, _req("ts", error="message_not_found"))),
    "chat.postEphemeral": MethodSpec(
        chat.post_ephemeral, (CHANNEL, _req("user", error="user_not_in_channel"))
    ),
    "chat.delete": MethodSpec(chat.delete, (CHANNEL, _req("ts", error="message_not_found"))),
    "chat.getPermalink": MethodSpec(
        chat.get_permalink, (CHANNEL, _req("message_ts", error="message_not_found"))
    ),
    "conversations.info": MethodSpec(conversations.conversations_info, (CHANNEL,)),
    "conversations.history": MethodSpec(conversations.conversations_history, (CHANNEL,)),
    "conversations.replies": MethodSpec(
        conversations.conversations_replies, (CHANNEL, _req("ts", error="thread_not_found"))
    ),
    "users.info": MethodSpec(conversations.users_info, (_req("user", error="user_not_found"),)),
    "views.open": MethodSpec(
        views.views_open,
        (
            _req("trigger_id", "interactivity_pointer", error="invalid_trigger_id"),
            _req("view", error="invalid_arguments"),
        ),
    ),
    "views.push": MethodSpec(
        views.views_push,
        (
            _req("trigger_id", "interactivity_pointer", error="invalid_trigger_id"),
            _req("view", error="invalid_arguments"),
        ),
    ),
    "views.publish": MethodSpec(
        views.views_publish,
        (_req("user_id", error="invalid_arguments"), _req("view", error="invalid_arguments")),
    ),
    "views.update": MethodSpec(views.views_update, (_req("view", error="invalid_arguments"),)),
    "reactions.add": MethodSpec(
        chat.add_reaction,
        (
            _req("channel", error="no_item_specified"),
            _req("timestamp", error="no_item_specified"),
            _req("name", error="invalid_name"),
        ),
    ),
}

#: Implemented methods that Slack's OpenAPI spec (2020) predates: their arguments come from the
#: ``slack_sdk.WebClient`` signatures, so they are kept apart from the spec-checked table.
SDK_ONLY_METHODS: Mapping[str, MethodSpec] = {
    "files.getUploadURLExternal": MethodSpec(
        files.get_upload_url_external,
        (_req("filename", error="invalid_arguments"), _req("length", error="invalid_arguments")),
    ),
    "files.completeUploadExternal": MethodSpec(
        files.complete_upload_external, (_req("files", error="invalid_arguments"),)
    ),
}


def implemented_method(name: str) -> MethodSpec | None:
    """The stand-in's implementation of a method, if it has one."""
    return METHODS.get(name) or SDK_ONLY_METHODS.get(name)


@cache
def known_method_names() -> frozenset[str]:
    """Every real Web API method name (``methods.txt``: the spec plus slack_sdk)."""
    text = resources.files("standins.slack").joinpath("methods.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def _present(args: Mapping[str, Any], name: str) -> bool:
    value = args.get(name)
    if isinstance(value, dict | list):
        return bool(value)
    return text_arg(args, name) is not None


def check_required(spec: MethodSpec, args: Mapping[str, Any]) -> None:
    """Raise the method's error for the first missing required argument."""
    for required in spec.required:
        if not any(_present(args, name) for name in required.names):
            if required.error == "invalid_arguments":
                raise invalid_arguments(f"missing required field: {required.names[0]}")
            raise SlackMethodError(required.error)
