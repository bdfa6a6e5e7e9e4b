"""Who holds a send or a job's slot in the database: this process."""

from __future__ import annotations

import os
import socket


def this_worker() -> str:
    """``host:pid`` of this process (kept in the rows it takes, for operators and logs)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:80]
