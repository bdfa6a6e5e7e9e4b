"""**Mark article written** on a knowledge-gap digest or alert: closes the topic's open gaps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from app.db.engine import session_scope
from app.db.models import utcnow
from app.knowledge_gaps.queue import article_writer, mark_article_written
from app.slack.blocks.gap_digest import gap_marked_blocks
from app.slack.gap_notifier import SlackGapNotifier
from app.slack.listeners.actions.clicks import Click, click_of, tell
from app.slack.middleware.runtime import runtime_of


def gap_article_written(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    ack()
    click = click_of(body, action)
    topic = click.value
    if not topic:
        tell(client, click, "This button is no longer valid.")
        return
    runtime = runtime_of(context)
    if not (runtime.config.is_lead(click.user_id) or runtime.config.is_agent(click.user_id)):
        tell(
            client,
            click,
            "Only support leads and agents can mark a knowledge-base article written.",
        )
        return
    now = utcnow()
    with session_scope(runtime.engine) as session:
        changed = mark_article_written(session=session, topic=topic, user_id=click.user_id, now=now)
        writer = None if changed else article_writer(session=session, topic=topic)
    if changed:
        _show_done(client, body, click, topic=topic, user_id=click.user_id, at=now)
        return
    if writer is None:
        tell(client, click, "No open gaps on this topic.")
        return
    who, when = writer
    tell(client, click, f"Already marked written by <@{who}>.")
    _show_done(client, body, click, topic=topic, user_id=who, at=when)


def _show_done(
    client: WebClient, body: dict[str, Any], click: Click, *, topic: str, user_id: str, at: datetime
) -> None:
    """Update the clicked message in place: the topic's button becomes who marked it."""
    if not click.channel or not click.message_ts or not click.message_blocks:
        return
    text = str((body.get("message") or {}).get("text") or "Knowledge gaps")
    blocks = gap_marked_blocks(click.message_blocks, topic=topic, user_id=user_id, at=at)
    SlackGapNotifier(client).update(
        channel=click.channel, ts=click.message_ts, text=text, blocks=blocks
    )
