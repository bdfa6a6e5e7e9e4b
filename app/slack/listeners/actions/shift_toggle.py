"""An agent switches themselves on or off shift from the App Home tab."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from app.db.engine import session_scope
from app.db.escalations import set_shift
from app.slack.home_publisher import publish_home
from app.slack.middleware.runtime import runtime_of


def _toggle(on_shift: bool, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    runtime = runtime_of(context)
    user_id = str((body.get("user") or {}).get("id") or "")
    if runtime.config.agent(user_id) is not None:
        with session_scope(runtime.engine) as session:
            set_shift(session=session, user_id=user_id, on_shift=on_shift)
    publish_home(client=client, runtime=runtime, user_id=user_id)


def shift_on(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    ack()
    _toggle(True, body, context, client)


def shift_off(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    ack()
    _toggle(False, body, context, client)
