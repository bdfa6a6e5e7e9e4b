"""Uploads a chart image privately to Slack, for an image block's ``slack_file`` to show."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)

MAX_ALT_TEXT = 1000  # files.getUploadURLExternal refuses a longer alt_txt


def upload_chart(client: WebClient, *, png: bytes, filename: str, title: str) -> str | None:
    """Upload ``png`` with the external upload flow (``files.getUploadURLExternal``, a POST of
    the bytes, ``files.completeUploadExternal``) without sharing it in any channel, and return
    the file's id: the reference an image block takes as ``slack_file={"id": ...}``.

    None, with a warning logged, when anything fails: the caller renders without the image.
    """
    try:
        response = client.files_upload_v2(
            file=png, filename=filename, title=title, alt_txt=title[:MAX_ALT_TEXT]
        )
        files = response.get("files")
        file_id = files[0].get("id") if isinstance(files, list) and files else None
    except SlackApiError as exc:
        logger.warning("Chart %s not uploaded: %s", filename, exc.response.get("error"))
        return None
    except Exception as exc:  # a chart is optional: no failure of its upload may break a view
        logger.warning("Chart %s not uploaded: %s", filename, type(exc).__name__)
        return None
    if not isinstance(file_id, str) or not file_id:
        logger.warning("Chart %s not uploaded: no file id in the response", filename)
        return None
    return file_id
