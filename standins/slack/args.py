"""Parse Web API request arguments (query, form, JSON or multipart bodies) as Slack does."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from standins.slack.errors import SlackMethodError

JSON_ENCODED_ARGS = ("blocks", "attachments", "view", "metadata")


@dataclass(frozen=True)
class ParsedRequest:
    """Arguments of one call, and where its token came from."""

    args: dict[str, Any]
    token: str | None


def _content_type(headers: Mapping[str, str]) -> tuple[str, str]:
    raw = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    media_type, _, params = raw.partition(";")
    return media_type.strip().lower(), params


def _multipart_fields(body: bytes, content_type_header: str) -> dict[str, Any]:
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type_header.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise SlackMethodError("invalid_form_data")
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        fields[name] = data if part.get_filename() else data.decode("utf-8", "replace")
    return fields


def decode_json_args(args: dict[str, Any]) -> None:
    """Form bodies carry blocks/attachments/view as JSON strings; decode them in place."""
    for name in JSON_ENCODED_ARGS:
        value = args.get(name)
        if isinstance(value, str) and value.strip():
            try:
                args[name] = json.loads(value)
            except ValueError:
                error = "invalid_blocks_format" if name == "blocks" else "invalid_arguments"
                raise SlackMethodError(error) from None


def _bearer_token(headers: Mapping[str, str]) -> str | None:
    raw = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _, token = raw.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def parse_request(
    *, query: str, headers: Mapping[str, str], body: bytes, is_post: bool
) -> ParsedRequest:
    """Merge query and body arguments; JSON bodies must carry the token in the header."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    header_token = _bearer_token(headers)
    media_type, _ = _content_type(headers)
    full_content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if is_post and body:
        if media_type == "application/json":
            try:
                decoded = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise SlackMethodError("invalid_json") from None
            if not isinstance(decoded, dict):
                raise SlackMethodError("json_not_object")
            decoded.pop("token", None)  # Slack ignores a token inside a JSON body
            args.update(decoded)
        elif media_type == "multipart/form-data":
            args.update(_multipart_fields(body, full_content_type))
        elif media_type in ("application/x-www-form-urlencoded", ""):
            try:
                args.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            except UnicodeDecodeError:
                raise SlackMethodError("invalid_charset") from None
        else:
            raise SlackMethodError("invalid_post_type")
    body_token = args.pop("token", None)
    token = header_token or (body_token if isinstance(body_token, str) and body_token else None)
    return ParsedRequest(args=args, token=token)


def text_arg(args: Mapping[str, Any], name: str) -> str | None:
    """A string argument; numbers (JSON bodies) become strings, empty means absent."""
    value = args.get(name)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    return value if isinstance(value, str) and value != "" else None


def bool_arg(args: Mapping[str, Any], name: str, default: bool = False) -> bool:
    """A boolean argument as Slack reads it (``true``/``1`` in forms)."""
    value = args.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1")


def int_arg(args: Mapping[str, Any], name: str, default: int) -> int:
    """An integer argument; an unparsable one is ``invalid_arguments``."""
    value = args.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SlackMethodError("invalid_arguments") from None
