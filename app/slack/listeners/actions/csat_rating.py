"""A tap on the satisfaction survey: recorded (a second tap updates it), then a thank-you."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from app.csat.service import record_rating
from app.db.models import utcnow
from app.slack.blocks.csat import parse_rating_value, thanks_blocks
from app.slack.gateway import SlackGateway, SlackRefusedError
from app.slack.listeners.actions.clicks import click_of, tell
from app.slack.middleware.runtime import runtime_of

logger = logging.getLogger(__name__)


def csat_rating(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    ack()
    click = click_of(body, action)
    parsed = parse_rating_value(click.value)
    if parsed is None:
        tell(client, click, "This survey is no longer valid.")
        return
    rating_id, rating = parsed
    result = record_rating(
        engine=runtime_of(context).engine,
        rating_id=rating_id,
        rating=rating,
        user_id=click.user_id,
        user_team=click.user_team,
        now=utcnow(),
    )
    if not result.changed or result.kind is None or result.rating is None:
        tell(client, click, result.notice)
        return
    blocks = thanks_blocks(rating_id=rating_id, rating=result.rating, kind=result.kind)
    try:
        SlackGateway(client).update_message(
            channel=click.channel, ts=click.message_ts, text=result.notice, blocks=blocks
        )
    except SlackRefusedError as refusal:
        logger.warning("survey %s not updated: %s", click.message_ts, refusal.error)
