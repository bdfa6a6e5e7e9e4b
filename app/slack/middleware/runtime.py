"""Hands the process's Runtime to every listener through Bolt's context."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltContext

from app.runtime import Runtime

RUNTIME_KEY = "runtime"


def runtime_middleware(runtime: Runtime) -> Callable[..., None]:
    def attach_runtime(context: BoltContext, next: Callable[[], None]) -> None:
        context[RUNTIME_KEY] = runtime
        next()

    return attach_runtime


def runtime_of(context: BoltContext) -> Runtime:
    runtime = context.get(RUNTIME_KEY)
    assert isinstance(runtime, Runtime)
    return runtime
