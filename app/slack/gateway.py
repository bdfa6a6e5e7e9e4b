"""The one way out to the Slack Web API: every call the product makes goes through a
:class:`SlackGateway`, which takes Block Kit as built by the builders in ``app/slack/blocks``,
answers with small typed values, and turns Slack's refusals into one :class:`SlackRefusedError`
carrying Slack's error code; what a delivery makes of a refusal (retry or give up) is decided
here too, once (:meth:`SlackRefusedError.delivery_error`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient as WebClient  # the client a gateway goes over, for the wiring
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.web import SlackResponse

from app.conversations.intake import BotIdentity
from app.delivery.outcomes import DeliveryError, PermanentError, RetryableError, retry_after_seconds

#: Slack errors that a retry can cure (everything else is a bad channel, a missing scope, ...).
RETRYABLE = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable"})

#: The Web API client holding a team's bot token (None: the team has no usable installation).
ClientForTeam = Callable[[str], WebClient | None]


class SlackRefusedError(Exception):
    """Slack answered a call with an error: ``error`` is its code (``not_in_channel``,
    ``already_reacted``, ``expired_trigger_id`` ...), ``status`` the HTTP status, and
    ``retry_after`` the seconds its ``Retry-After`` asked for, if any."""

    def __init__(
        self, method: str, error: str, *, status: int, retry_after: float | None = None
    ) -> None:
        super().__init__(f"Slack refused {method}: {error}")
        self.method = method
        self.error = error
        self.status = status
        self.retry_after = retry_after

    @classmethod
    def of(cls, method: str, exc: SlackApiError) -> SlackRefusedError:
        response = exc.response
        headers = response.headers or {}
        return cls(
            method,
            str(response.get("error", "error")),
            status=int(response.status_code),
            retry_after=retry_after_seconds(headers.get("Retry-After")),
        )

    @property
    def retryable(self) -> bool:
        """A hiccup of Slack's that a later attempt can get past."""
        return self.error in RETRYABLE or self.status >= 500

    def delivery_error(self, *, where: str) -> DeliveryError:
        """``RetryableError`` for Slack's hiccups (with its ``Retry-After``), else
        ``PermanentError``; the message names Slack's error code and ``where`` (a channel id),
        never a message's text."""
        if self.retryable:
            return RetryableError(f"Slack answered {self.error}", retry_after=self.retry_after)
        return PermanentError(f"Slack answered {self.error} for channel {where}")


@contextmanager
def delivering_to(where: str) -> Iterator[None]:
    """Slack's refusals inside the block as the outbox's delivery outcomes."""
    try:
        yield
    except SlackRefusedError as refusal:
        raise refusal.delivery_error(where=where) from None


@dataclass(frozen=True)
class PostedMessage:
    """A message Slack accepted: where it is and its ts."""

    channel: str
    ts: str


@dataclass(frozen=True)
class MessagePage:
    """One page of a channel's history or a thread's replies (raw message objects), and the
    cursor of the next page (None on the last)."""

    messages: list[dict[str, Any]]
    next_cursor: str | None


BlockList = Sequence[Block | Mapping[str, Any]]


class SlackGateway:
    """The Web API calls of the product, over one client (one bot token)."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post_message(
        self,
        *,
        channel: str,
        text: str,
        blocks: BlockList | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
    ) -> PostedMessage:
        response = self._call(
            "chat.postMessage",
            self.client.chat_postMessage,
            channel=channel,
            text=text,
            blocks=_dicts(blocks),
            thread_ts=thread_ts,
            metadata=metadata,
            unfurl_links=unfurl_links,
            unfurl_media=unfurl_media,
        )
        return PostedMessage(
            channel=str(response.get("channel") or channel), ts=str(response["ts"])
        )

    def update_message(
        self, *, channel: str, ts: str, text: str, blocks: BlockList | None = None
    ) -> None:
        """Replace a message's text and blocks (an empty ``blocks`` leaves the text alone)."""
        self._call(
            "chat.update",
            self.client.chat_update,
            channel=channel,
            ts=ts,
            text=text,
            blocks=_dicts(blocks),
        )

    def post_ephemeral(
        self, *, channel: str, user: str, text: str, thread_ts: str | None = None
    ) -> None:
        self._call(
            "chat.postEphemeral",
            self.client.chat_postEphemeral,
            channel=channel,
            user=user,
            text=text,
            thread_ts=thread_ts,
        )

    def permalink(self, *, channel: str, ts: str) -> str | None:
        response = self._call(
            "chat.getPermalink", self.client.chat_getPermalink, channel=channel, message_ts=ts
        )
        link = response.get("permalink")
        return str(link) if link else None

    def add_reaction(self, *, channel: str, ts: str, name: str) -> None:
        self._call(
            "reactions.add", self.client.reactions_add, channel=channel, timestamp=ts, name=name
        )

    def open_view(self, *, trigger_id: str, view: View) -> None:
        self._call("views.open", self.client.views_open, trigger_id=trigger_id, view=view.to_dict())

    def publish_home(self, *, user_id: str, view: View) -> None:
        self._call("views.publish", self.client.views_publish, user_id=user_id, view=view.to_dict())

    def history_page(
        self, *, channel: str, oldest: str, limit: int, cursor: str | None = None
    ) -> MessagePage:
        """A page of ``channel``'s messages after ``oldest``, newest first, with metadata."""
        read = self.client.conversations_history
        return self._page(
            "conversations.history", read, cursor, channel=channel, oldest=oldest, limit=limit
        )

    def replies_page(
        self, *, channel: str, thread_ts: str, limit: int, cursor: str | None = None
    ) -> MessagePage:
        """A page of a thread's messages, with metadata."""
        read = self.client.conversations_replies
        return self._page(
            "conversations.replies", read, cursor, channel=channel, ts=thread_ts, limit=limit
        )

    def user_email(self, user_id: str) -> str | None:
        """The email address on a person's profile (``users:read.email``), if it shows one."""
        response = self._call("users.info", self.client.users_info, user=user_id)
        profile = (response.get("user") or {}).get("profile") or {}
        email = profile.get("email")
        return str(email) if email else None

    def upload_file(
        self, *, content: bytes, filename: str, title: str, alt_text: str
    ) -> str | None:
        """Upload a file without sharing it in any channel; its id (None: Slack named none)."""
        response = self._call(
            "files.upload",
            self.client.files_upload_v2,
            file=content,
            filename=filename,
            title=title,
            alt_txt=alt_text,
        )
        files = response.get("files")
        file_id = files[0].get("id") if isinstance(files, list) and files else None
        return file_id if isinstance(file_id, str) and file_id else None

    def bot_identity(self) -> BotIdentity:
        """The bot the token belongs to, from ``auth.test``."""
        auth = self._call("auth.test", self.client.auth_test)
        return BotIdentity(team_id=str(auth["team_id"]), user_id=str(auth["user_id"]))

    def _page(
        self, method: str, read: Callable[..., SlackResponse], cursor: str | None, **args: Any
    ) -> MessagePage:
        response = self._call(method, read, include_all_metadata=True, cursor=cursor, **args)
        messages = [dict(message) for message in response.get("messages") or []]
        next_cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
        return MessagePage(messages=messages, next_cursor=next_cursor)

    @staticmethod
    def _call(method: str, call: Callable[..., SlackResponse], **args: Any) -> SlackResponse:
        try:
            return call(**args)
        except SlackApiError as exc:
            raise SlackRefusedError.of(method, exc) from exc


#: What the adapters are handed: the gateway, or the client it goes over.
SlackConnection = WebClient | SlackGateway


def gateway_of(connection: SlackConnection) -> SlackGateway:
    return connection if isinstance(connection, SlackGateway) else SlackGateway(connection)


def gateway_for(
    connections: SlackConnection | ClientForTeam, team_id: object, *, where: str
) -> SlackGateway:
    """The gateway a delivery of ``team_id``'s to ``where`` goes out through: the one of a
    single bot token, or that installation's (``PermanentError`` when it has none)."""
    if isinstance(connections, WebClient | SlackGateway):
        return gateway_of(connections)
    client = connections(str(team_id)) if team_id else None
    if client is None:
        raise PermanentError(f"no installation of workspace {team_id} to post to {where}")
    return SlackGateway(client)


def _dicts(blocks: BlockList | None) -> list[Mapping[str, Any]] | None:
    if blocks is None:
        return None
    return [block.to_dict() if isinstance(block, Block) else block for block in blocks]
