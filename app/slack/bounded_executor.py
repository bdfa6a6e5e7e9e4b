"""The listeners' executor: a fixed number of threads and a bounded queue, with back-pressure.

When every thread is busy and the queue is full, ``submit`` neither blocks the request thread nor
runs the work: it returns a future that already failed with :class:`ExecutorFullError` and logs it.

That is safe for Events API deliveries because each one is stored (status ``received``) before it
is acknowledged: Bolt acknowledges events before it submits their listener, Slack gets its 200,
and the worker's ``retry_unfinished_events`` processes the stored event once it has been
``received`` for longer than its staleness horizon. Nothing is lost, it only runs later.

Interactive requests (actions, shortcuts, commands, views) are acknowledged *by* their listener,
so a refused listener would leave the HTTP request without an answer until Bolt's ack timeout.
:func:`admission_middleware` therefore takes a slot for the request before its listener is
dispatched. If no slot is free, an interactive request is answered 200 with an empty body and
left (logged as a warning; the person sees nothing happen and can press again), and an event goes
on to its listener, is acknowledged as usual and is left to the worker.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from slack_bolt import BoltResponse

logger = logging.getLogger(__name__)

LISTENER_THREADS = 16
LISTENER_QUEUE = 64

P = ParamSpec("P")
T = TypeVar("T")


class ExecutorFullError(RuntimeError):
    """The work was refused: every thread is busy and the queue is full."""


class BoundedExecutor(Executor):
    """``max_workers`` threads, at most ``max_queue`` submitted tasks waiting for one."""

    def __init__(
        self,
        max_workers: int = LISTENER_THREADS,
        max_queue: int = LISTENER_QUEUE,
        *,
        thread_name_prefix: str = "listener",
    ) -> None:
        if max_workers < 1 or max_queue < 0:
            raise ValueError("max_workers must be at least 1 and max_queue at least 0")
        self.max_workers = max_workers
        self.max_queue = max_queue
        self._pool = ThreadPoolExecutor(
            max_workers=max_workers, thread_name_prefix=thread_name_prefix
        )
        # One permit per task running or waiting: the pool's own queue never exceeds the bound.
        self._slots = threading.BoundedSemaphore(max_workers + max_queue)
        self._reserved = threading.local()
        self._lock = threading.Lock()
        self._rejected = 0

    @property
    def rejected(self) -> int:
        """How many submissions were refused since the start."""
        with self._lock:
            return self._rejected

    def reserve(self) -> bool:
        """Take a slot for the next ``submit`` from this thread; False when none is free."""
        if getattr(self._reserved, "held", False):
            return True
        if not self._slots.acquire(blocking=False):
            return False
        self._reserved.held = True
        return True

    def release_reservation(self) -> None:
        """Give back this thread's reserved slot if no ``submit`` used it."""
        if getattr(self._reserved, "held", False):
            self._reserved.held = False
            self._slots.release()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        if getattr(self._reserved, "held", False):
            self._reserved.held = False
        elif not self._slots.acquire(blocking=False):
            return self._refuse(fn)
        try:
            future = self._pool.submit(fn, *args, **kwargs)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(self._release_slot)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)

    def _release_slot(self, _future: Future[Any]) -> None:
        self._slots.release()

    def _refuse(self, fn: Callable[..., Any]) -> Future[Any]:
        with self._lock:
            self._rejected += 1
        logger.warning(
            "listener executor full (%d threads, queue of %d): %s not run now; "
            "a stored event is left to the worker",
            self.max_workers,
            self.max_queue,
            getattr(fn, "__qualname__", repr(fn)),
        )
        refused: Future[Any] = Future()
        refused.set_exception(ExecutorFullError("listener executor full"))
        return refused


def admission_middleware(
    executor: BoundedExecutor,
) -> Callable[[dict[str, Any], Callable[[], None]], BoltResponse | None]:
    """Bolt middleware that reserves the executor slot the request's listener will use."""

    def admit(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        if not executor.reserve():
            if body.get("type") == "event_callback":
                next()  # acknowledged by Bolt; the stored event stays `received` for the worker
                return None
            logger.warning(
                "listener executor full: %s request answered 200 without running its listener",
                body.get("type") or body.get("command") or "unknown",
            )
            return BoltResponse(status=200, body="")
        try:
            next()
        finally:
            executor.release_reservation()
        return None

    return admit
