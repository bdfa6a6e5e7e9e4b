"""The stand-in's external file upload: ``files.getUploadURLExternal``, the upload URL it hands
out, and ``files.completeUploadExternal`` (what ``WebClient.files_upload_v2`` calls).

1. ``files.getUploadURLExternal`` (``filename``, ``length``) reserves a file id and answers an
   ``upload_url`` on the stand-in itself (``<base>/upload/<file id>``);
2. a POST of the raw bytes to that URL is recorded; a body whose size is not the announced
   ``length`` is refused (HTTP 400), an unknown or finished upload is HTTP 404;
3. ``files.completeUploadExternal`` (``files``: a JSON list of ``{id, title}``) finishes the
   uploads, once each: a file whose bytes never arrived is ``file_not_found``. Without a channel
   the file stays private to the bot (sharing to channels is not implemented here).

The files live beside the workspace they belong to (see :func:`file_store`), so the method
handlers keep the ``(workspace, args)`` signature of every other stand-in method.
"""

from __future__ import annotations

import json
import mimetypes
import time
from dataclasses import dataclass, field
from typing import Any

from standins.http_server import HttpReply
from standins.slack.args import int_arg, text_arg
from standins.slack.errors import SlackMethodError, invalid_arguments
from standins.slack.workspace import Workspace

Args = dict[str, Any]
Reply = dict[str, Any]

UPLOAD_PATH_PREFIX = "/upload/"
MAX_ALT_TEXT = 1000
MAX_FILE_BYTES = 1024 * 1024 * 1024  # Slack's limit for one file: 1 GB
_STORE_ATTRIBUTE = "_standin_file_store"
_TEXT_HEADERS = {"Content-Type": "text/plain; charset=utf-8"}


@dataclass
class StoredFile:
    """One upload: reserved, then its bytes received, then completed."""

    id: str
    filename: str
    length: int
    alt_txt: str | None = None
    data: bytes | None = None
    title: str | None = None
    completed: bool = False
    created: int = field(default_factory=lambda: int(time.time()))


@dataclass
class FileStore:
    """Every file of one workspace, and where its upload URLs point."""

    upload_base_url: str | None = None
    files: dict[str, StoredFile] = field(default_factory=dict)

    def next_id(self) -> str:
        """A new file id (``F0...``, the shape Slack's ``slack_file`` ids have)."""
        return f"F0{len(self.files) + 1:09d}"


def file_store(ws: Workspace) -> FileStore:
    """The workspace's file store, created on first use."""
    store = getattr(ws, _STORE_ATTRIBUTE, None)
    if not isinstance(store, FileStore):
        store = FileStore()
        setattr(ws, _STORE_ATTRIBUTE, store)
    return store


def get_upload_url_external(ws: Workspace, args: Args) -> Reply:
    """``files.getUploadURLExternal``: reserve a file id and the URL to POST its bytes to."""
    store = file_store(ws)
    if store.upload_base_url is None:
        raise SlackMethodError("internal_error")
    filename = text_arg(args, "filename") or ""
    length = int_arg(args, "length", 0)
    if not 0 < length <= MAX_FILE_BYTES:
        raise invalid_arguments(
            f"length must be between 1 and {MAX_FILE_BYTES} [json-pointer:/length]"
        )
    alt_txt = text_arg(args, "alt_txt")
    if alt_txt is not None and len(alt_txt) > MAX_ALT_TEXT:
        raise SlackMethodError("alt_txt_too_large")
    stored = StoredFile(id=store.next_id(), filename=filename, length=length, alt_txt=alt_txt)
    store.files[stored.id] = stored
    return {"ok": True, "upload_url": store.upload_base_url + stored.id, "file_id": stored.id}


def receive_upload(ws: Workspace, file_id: str, body: bytes) -> HttpReply:
    """A POST to an upload URL: keep the bytes when their size is the announced length."""
    stored = file_store(ws).files.get(file_id)
    if stored is None or stored.completed:
        return HttpReply(404, b"upload not found", dict(_TEXT_HEADERS))
    if len(body) != stored.length:
        message = f"expected {stored.length} bytes, received {len(body)}"
        return HttpReply(400, message.encode(), dict(_TEXT_HEADERS))
    stored.data = body
    return HttpReply(200, f"OK - {len(body)}".encode(), dict(_TEXT_HEADERS))


def _requested_files(args: Args) -> list[tuple[str, str | None]]:
    """``files`` as ``(id, title)`` pairs: a JSON list (or its text) of objects with an id."""
    raw = args.get("files")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise invalid_arguments("files must be a JSON array [json-pointer:/files]") from None
    if not isinstance(raw, list) or not raw:
        raise invalid_arguments("files must be a non-empty array [json-pointer:/files]")
    requested: list[tuple[str, str | None]] = []
    for index, item in enumerate(raw):
        file_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(file_id, str) or not file_id:
            raise invalid_arguments(f"missing required field: id [json-pointer:/files/{index}]")
        title = item.get("title")
        requested.append((file_id, title if isinstance(title, str) and title else None))
    return requested


def as_slack_file(ws: Workspace, stored: StoredFile) -> dict[str, Any]:
    """The file object Slack returns for a completed, private upload."""
    name = stored.filename
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    team_file = f"{ws.team_id}-{stored.id}"
    shown: dict[str, Any] = {
        "id": stored.id,
        "created": stored.created,
        "timestamp": stored.created,
        "name": name,
        "title": stored.title or name,
        "mimetype": mimetypes.guess_type(name)[0] or "application/octet-stream",
        "filetype": extension,
        "pretty_type": extension.upper(),
        "user": ws.bot_user_id,
        "user_team": ws.team_id,
        "editable": False,
        "size": stored.length,
        "mode": "hosted",
        "is_external": False,
        "external_type": "",
        "is_public": False,
        "public_url_shared": False,
        "display_as_bot": False,
        "username": "",
        "url_private": f"https://files.slack.com/files-pri/{team_file}/{name}",
        "url_private_download": f"https://files.slack.com/files-pri/{team_file}/download/{name}",
        "permalink": f"https://{ws.domain}.slack.com/files/{ws.bot_user_id}/{stored.id}/{name}",
        "channels": [],
        "groups": [],
        "ims": [],
        "shares": {},
        "comments_count": 0,
    }
    if stored.alt_txt:
        shown["alt_txt"] = stored.alt_txt
    return shown


def complete_upload_external(ws: Workspace, args: Args) -> Reply:
    """``files.completeUploadExternal``: finish uploads whose bytes arrived, privately."""
    if text_arg(args, "channel_id") or text_arg(args, "channels"):
        raise SlackMethodError(
            "standin_not_implemented",
            extra={"req_method": "files.completeUploadExternal", "detail": "sharing to channels"},
        )
    store = file_store(ws)
    requested = _requested_files(args)
    found: list[tuple[StoredFile, str | None]] = []
    for file_id, title in requested:
        stored = store.files.get(file_id)
        if stored is None or stored.data is None or stored.completed:
            raise SlackMethodError("file_not_found")
        found.append((stored, title))
    for stored, title in found:
        stored.title = title
        stored.completed = True
    return {"ok": True, "files": [as_slack_file(ws, stored) for stored, _ in found]}
