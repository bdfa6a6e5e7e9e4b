"""Messages about bug reports: the issue link in the agent thread, the widespread-error alert,
and the misconfiguration notice to leads. Tracker and customer text is escaped."""

from __future__ import annotations

from typing import Any

from app.bugs.links import Announcement, IssueLink
from app.slack.blocks.handoff_card import fit_escaped, safe_url

TEXT_LIMIT = 3000


def link_text(link: IssueLink) -> str:
    label = fit_escaped(f"{link.tracker} {link.label}", 80)
    return f"<{link.url}|{label}>" if safe_url(link.url) else label


def announcement_text(announcement: Announcement) -> str:
    """The line posted under the card once the tracker has the issue (or the comment)."""
    links = ", ".join(link_text(link) for link in announcement.links) or "the tracker"
    if announcement.first:
        return f":lady_beetle: Bug report filed: {links}"
    return (
        f":lady_beetle: Added this account to the existing bug report {links} "
        f"({announcement.affected_accounts} accounts affected)."
    )


def alert_text(payload: dict[str, Any]) -> str:
    """An alert from the outbox (``payload["alert"]`` names its kind)."""
    kind = payload.get("alert")
    if kind == "bug_fingerprint":
        error = fit_escaped(str(payload.get("error") or "").replace("`", "'"), 300)
        return (
            f":rotating_light: The same error was reported by {int(payload['accounts'])} accounts "
            f"within {int(payload['minutes'])} minutes: `{error}`"
        )
    if kind == "misconfiguration":
        problems = [fit_escaped(str(p), 300) for p in payload.get("problems") or []]
        lines = "\n".join(f"• {p}" for p in problems)
        return f":warning: Integration settings need attention:\n{lines}"[:TEXT_LIMIT]
    raise ValueError(f"unknown alert {kind!r}")
