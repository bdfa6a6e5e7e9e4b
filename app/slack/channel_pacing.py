"""Paces posting to one channel at Slack's limit (about one message per second per channel), so a
burst of replies to one channel waits its turn instead of being refused with 429s; when Slack does
refuse one (another process posted too), the channel waits out ``Retry-After`` and the retry takes
a turn like any other post, so one refusal does not turn into a run of them."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.slack_response import SlackResponse

POSTING_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral"})
SECONDS_PER_MESSAGE = 1.1  # Slack allows ~1/s per channel; a margin for clock differences


class ChannelPacer:
    """Hands out posting turns per channel, ``interval`` seconds apart (thread-safe)."""

    def __init__(
        self,
        interval: float = SECONDS_PER_MESSAGE,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._blocked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait_turn(self, channel: str) -> float:
        """Block until this caller may post to ``channel``; returns the seconds waited.

        A turn handed out before Slack said to wait (:meth:`defer`) is given up on waking, and
        a later one taken."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                start = max(now, self._blocked_until.get(channel, now))
                turn = max(start, self._next.get(channel, start))
                self._next[channel] = turn + self._interval
                if len(self._next) > 10_000:  # forget channels whose turns are long past
                    self._next = {k: v for k, v in self._next.items() if v > now}
                    self._blocked_until = {k: v for k, v in self._blocked_until.items() if v > now}
            wait = turn - now
            if wait > 0:
                self._sleep(wait)
                waited += wait
            with self._lock:
                if self._blocked_until.get(channel, 0.0) <= turn:
                    return waited

    def defer(self, channel: str, seconds: float) -> None:
        """Slack refused a post to ``channel`` (``Retry-After: seconds``): no turn before then."""
        with self._lock:
            until = self._clock() + seconds
            self._blocked_until[channel] = max(self._blocked_until.get(channel, until), until)


def _posted_channel(request: HttpRequest) -> str | None:
    """The channel of a posting request (JSON or form body), else None."""
    method = request.url.rstrip("/").rsplit("/", 1)[-1]
    if method not in POSTING_METHODS:
        return None
    params: Any = request.body_params
    if not params and request.data:
        text = request.data.decode("utf-8", "replace")
        try:
            params = json.loads(text)
        except ValueError:
            params = {key: values[0] for key, values in parse_qs(text).items()}
    channel = params.get("channel") if isinstance(params, dict) else None
    return str(channel) if channel else None


class PacedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Retries a 429 after ``Retry-After``; for a post, through the channel's :class:`ChannelPacer`
    (the whole channel waits, and the retry takes a turn)."""

    def __init__(self, pacer: ChannelPacer, max_retry_count: int = 3) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.pacer = pacer

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        channel = _posted_channel(request)
        if response is None or channel is None:
            super().prepare_for_next_attempt(
                state=state, request=request, response=response, error=error
            )
            return
        header = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        try:
            seconds = float(header[0] if isinstance(header, list) else header)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            seconds = 1.0
        state.next_attempt_requested = True
        self.pacer.defer(channel, seconds + random.random() / 10)  # noqa: S311 (jitter)
        self.pacer.wait_turn(channel)
        state.increment_current_attempt()


class PacedWebClient(WebClient):
    """A ``WebClient`` whose posting methods take a turn from a :class:`ChannelPacer` first.

    The pacer is per process; what several processes send at once beyond the limit is refused by
    Slack with ``Retry-After`` and retried by the client's rate-limit handler."""

    def __init__(self, *args: Any, pacer: ChannelPacer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pacer = pacer or ChannelPacer()

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:
        if api_method in POSTING_METHODS:
            args = kwargs.get("json") or kwargs.get("data") or kwargs.get("params") or {}
            channel = args.get("channel")
            if channel:
                self.pacer.wait_turn(str(channel))
        return super().api_call(api_method, **kwargs)
