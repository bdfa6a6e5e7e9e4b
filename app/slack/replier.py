"""Posts the bot's replies into customer threads through the Web API."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from app.domain.replies import BotReply, Posted, ReplyKind
from app.escalations.live_wait import EditRefusedError
from app.slack.blocks.answer import answer_blocks, answer_text
from app.slack.blocks.csat import survey_blocks, survey_text
from app.slack.blocks.customer_handoff import plain_message_blocks, transition_blocks
from app.slack.gateway import SlackConnection, SlackRefusedError, gateway_of
from app.slack.mrkdwn import escape
from app.slack.sent_lookup import REPLY_EVENT, find_keyed_reply, keyed_metadata


class SlackThreadReplier:
    def __init__(self, client: SlackConnection) -> None:
        self._slack = gateway_of(client)

    def post_reply(
        self,
        *,
        channel: str,
        thread_ts: str,
        reply: BotReply,
        key: str | None = None,
        maybe_sent: bool = False,
    ) -> Posted:
        blocks: list[Block]
        if reply.kind is ReplyKind.ANSWER:
            assert reply.answer is not None
            text = answer_text(reply.answer)
            sent_text = escape(text)
            blocks = answer_blocks(reply.answer, conversation_id=reply.conversation_id)
        else:
            text = sent_text = reply.text
            blocks = _handoff_blocks(reply)
        return self._post(
            channel, thread_ts, sent_text, blocks, text, key=key, maybe_sent=maybe_sent
        )

    def react(self, *, channel: str, ts: str, name: str) -> None:
        try:
            self._slack.add_reaction(channel=channel, ts=ts, name=name)
        except SlackRefusedError as refusal:
            if refusal.error != "already_reacted":  # a retried event
                raise

    def update_reply(self, *, channel: str, ts: str, reply: BotReply) -> None:
        """Edit a posted transition message in place (its wait line moved)."""
        try:
            self._slack.update_message(
                channel=channel, ts=ts, text=reply.text, blocks=_handoff_blocks(reply)
            )
        except SlackRefusedError as refusal:
            raise EditRefusedError(refusal.error) from None

    def post_text(
        self,
        *,
        channel: str,
        thread_ts: str,
        text: str,
        key: str | None = None,
        maybe_sent: bool = False,
    ) -> Posted:
        """A product-written line (who joined, the closing message) in the thread."""
        blocks = plain_message_blocks(text)
        return self._post(channel, thread_ts, text, blocks, text, key=key, maybe_sent=maybe_sent)

    def post_survey(
        self,
        *,
        channel: str,
        thread_ts: str,
        kind: str,
        rating_id: int,
        key: str | None = None,
        maybe_sent: bool = False,
    ) -> Posted:
        blocks = survey_blocks(kind=kind, rating_id=rating_id)
        text = survey_text(kind)
        return self._post(channel, thread_ts, text, blocks, text, key=key, maybe_sent=maybe_sent)

    def _post(
        self,
        channel: str,
        thread_ts: str,
        sent_text: str,
        blocks: list[Block],
        text: str,
        *,
        key: str | None = None,
        maybe_sent: bool = False,
    ) -> Posted:
        """Post in the thread, marked with ``key``; with ``maybe_sent``, a message of the thread
        already carrying ``key`` is returned instead (an earlier attempt posted it)."""
        if key is not None and maybe_sent:
            found = find_keyed_reply(self._slack, channel=channel, thread_ts=thread_ts, key=key)
            if found is not None:
                return Posted(ts=found, text=text)
        posted = self._slack.post_message(
            channel=channel,
            thread_ts=thread_ts,
            text=sent_text,
            blocks=blocks,
            unfurl_links=False,
            unfurl_media=False,
            metadata=keyed_metadata(REPLY_EVENT, key) if key is not None else None,
        )
        return Posted(ts=posted.ts, text=text)


def _handoff_blocks(reply: BotReply) -> list[Block]:
    return transition_blocks(
        text=reply.text,
        wait_text=reply.wait_text,
        conversation_id=reply.conversation_id,
        follow_up_label=reply.follow_up_label or "",
        offer_follow_up=reply.follow_up_label is not None,
        prominent=reply.follow_up_prominent,
    )
