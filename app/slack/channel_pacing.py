"""Paces posting to one channel at Slack's limit (about one message per second per channel), so a
burst of replies to one channel waits its turn instead of being refused with 429s."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
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
        self._lock = threading.Lock()

    def wait_turn(self, channel: str) -> float:
        """Block until this caller may post to ``channel``; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            turn = max(now, self._next.get(channel, now))
            self._next[channel] = turn + self._interval
            if len(self._next) > 10_000:  # forget channels whose turns are long past
                self._next = {k: v for k, v in self._next.items() if v > now}
        wait = turn - now
        if wait > 0:
            self._sleep(wait)
        return wait


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
