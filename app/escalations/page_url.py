"""The page the customer is talking about, when they pasted a link."""

from __future__ import annotations

import re

# Slack sends links as <https://x> or <https://x|label>; plain URLs may appear in raw text too.
_SLACK_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>")
_PLAIN = re.compile(r"https?://[^\s<>|]+")
MAX_URL = 2000


def page_url(text: str) -> str | None:
    """The first web link in the message, if any."""
    match = _SLACK_LINK.search(text) or _PLAIN.search(text)
    if match is None:
        return None
    url = match.group(1) if match.re is _SLACK_LINK else match.group(0)
    url = url.rstrip(".,;:!?)")
    return url if len(url) <= MAX_URL else None
