"""Messages about bug reports: the issue links in the card's thread (tracker text escaped)."""

from __future__ import annotations

from app.bugs.links import Announcement, IssueLink
from app.slack.blocks.handoff_card import fit_escaped, safe_url


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
