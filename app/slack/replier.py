"""Posts the bot's messages into customer threads through the Web API."""

from __future__ import annotations

from slack_sdk import WebClient

from app.conversations.flow import Greeting
from app.slack.blocks.greeting import greeting_blocks, greeting_text


class SlackThreadReplier:
    def __init__(self, client: WebClient) -> None:
        self._client = client

    def post_greeting(self, *, channel: str, thread_ts: str, greeting: Greeting) -> tuple[str, str]:
        text = greeting_text(greeting)
        response = self._client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=text,
            blocks=[block.to_dict() for block in greeting_blocks(greeting)],
            unfurl_links=False,
        )
        return str(response["ts"]), text
