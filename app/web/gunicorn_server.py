"""``escalation-bot serve``: the WSGI app under gunicorn (threaded workers), for production."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from app.web.wsgi import WsgiApp


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """Runs ``load_app`` in each worker process after the fork (no connections cross a fork)."""

    def __init__(self, load_app: Callable[[], WsgiApp], options: dict[str, Any]) -> None:
        self._load_app = load_app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> WsgiApp:
        return self._load_app()


def serve(load_app: Callable[[], WsgiApp], *, port: int, workers: int, threads: int) -> None:
    GunicornServer(
        load_app,
        {
            "bind": f"0.0.0.0:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "timeout": 30,
            "graceful_timeout": 20,
            "keepalive": 5,
            "accesslog": None,
            "errorlog": "-",
            "preload_app": False,
            # No runtime control socket: several instances may share a host (and a home folder).
            "control_socket_disable": True,
        },
    ).run()
