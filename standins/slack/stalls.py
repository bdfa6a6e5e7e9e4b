"""Requests the stand-in holds on to, so a test can kill the client at a chosen moment: after
Slack accepted a post (the message is stored, the response not yet sent), or before Slack saw it
(the request is then dropped, as if lost on the way)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

STALL_LIMIT = 120.0  # seconds a held request waits for its release at most


@dataclass
class Stall:
    """One held request of ``method`` (for ``channel``, if given)."""

    method: str
    channel: str | None
    accept: bool  # True: store the message, then hold the response; False: hold, then drop
    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def matches(self, method: str, channel: str | None) -> bool:
        return self.method == method and self.channel in (None, channel)

    def wait_reached(self, timeout: float = 30.0) -> None:
        """Wait until a request is being held."""
        if not self.reached.wait(timeout):
            raise TimeoutError(f"no {self.method} request reached the stall within {timeout} s")

    def release(self) -> None:
        """Let the held request go on (its response is sent, or it is dropped)."""
        self.released.set()

    def hold(self) -> None:
        """Called by the server thread serving the request."""
        self.reached.set()
        self.released.wait(STALL_LIMIT)
