"""Posts the bot's replies into customer threads through the Web API."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block

from app.conversations.replies import BotReply, Posted, ReplyKind
from app.slack.blocks.answer import answer_blocks, answer_text
from app.slack.blocks.handoff_notice import handoff_blocks, handoff_text
from app.slack.mrkdwn import escape


class SlackThreadReplier:
    def __init__(self, client: WebClient) -> None:
        self._client = client

    def post_reply(self, *, channel: str, thread_ts: str, reply: BotReply) -> Posted:
        blocks: list[Block]
        if reply.kind is ReplyKind.ANSWER:
            assert reply.answer is not None
            text = answer_text(reply.answer)
            sent_text = escape(text)
            blocks = answer_blocks(reply.answer, conversation_id=reply.conversation_id)
        else:
            text = handoff_text(customer_user_id=reply.customer_user_id, skill=reply.skill)
            sent_text = text
            blocks = handoff_blocks(customer_user_id=reply.customer_user_id, skill=reply.skill)
        response = self._client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=sent_text,
            blocks=[block.to_dict() for block in blocks],
            unfurl_links=False,
            unfurl_media=False,
        )
        return Posted(ts=str(response["ts"]), text=text)
