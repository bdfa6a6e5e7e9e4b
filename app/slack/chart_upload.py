"""Uploads a chart image privately to Slack, for an image block's ``slack_file`` to show."""

from __future__ import annotations

import logging

from app.slack.gateway import SlackConnection, SlackRefusedError, gateway_of

logger = logging.getLogger(__name__)

MAX_ALT_TEXT = 1000  # files.getUploadURLExternal refuses a longer alt_txt


def upload_chart(client: SlackConnection, *, png: bytes, filename: str, title: str) -> str | None:
    """Upload ``png`` with the external upload flow (``files.getUploadURLExternal``, a POST of
    the bytes, ``files.completeUploadExternal``) without sharing it in any channel, and return
    the file's id: the reference an image block takes as ``slack_file={"id": ...}``.

    None, with a warning logged, when anything fails: the caller renders without the image.
    """
    try:
        file_id = gateway_of(client).upload_file(
            content=png, filename=filename, title=title, alt_text=title[:MAX_ALT_TEXT]
        )
    except SlackRefusedError as refusal:
        logger.warning("Chart %s not uploaded: %s", filename, refusal.error)
        return None
    except Exception as exc:  # a chart is optional: no failure of its upload may break a view
        logger.warning("Chart %s not uploaded: %s", filename, type(exc).__name__)
        return None
    if file_id is None:
        logger.warning("Chart %s not uploaded: no file id in the response", filename)
        return None
    return file_id
