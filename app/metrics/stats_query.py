"""``/escalation-stats [7d|30d|90d] [tier:enterprise] [area:billing]`` arguments."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from app.metrics.activity import parse_window_days

USAGE = (
    "Usage: `/escalation-stats [7d|30d|90d] [tier:free|pro|enterprise] [area:SKILL|INTENT]` "
    "— e.g. `/escalation-stats 30d tier:enterprise area:billing`"
)
TIERS = ("free", "pro", "enterprise")


@dataclass(frozen=True)
class StatsQuery:
    days: int = 30
    tier: str | None = None
    area: str | None = None

    def describe(self) -> str:
        parts = [f"last {self.days} days"]
        if self.tier:
            parts.append(f"{self.tier} accounts")
        if self.area:
            parts.append(f"area {self.area}")
        return ", ".join(parts)


class StatsArgumentError(ValueError):
    """Arguments that cannot be read; the message explains and ends with the usage line."""


def parse_stats_query(
    text: str, *, areas: Collection[str], default_days: int = 30
) -> StatsQuery | None:
    """The query, or None when ``help`` was asked for. Raises StatsArgumentError."""
    days, tier, area = default_days, None, None
    for token in text.split():
        lowered = token.lower()
        if lowered in ("help", "-h", "--help", "?"):
            return None
        if lowered.startswith("tier:"):
            tier = lowered.removeprefix("tier:")
            if tier not in TIERS:
                raise StatsArgumentError(f"Unknown tier `{tier[:20]}`. {USAGE}")
        elif lowered.startswith("area:"):
            area = lowered.removeprefix("area:")
            if area not in areas:
                known = ", ".join(sorted(areas))
                raise StatsArgumentError(f"Unknown area `{area[:30]}` (areas: {known}). {USAGE}")
        else:
            try:
                days = parse_window_days(lowered)
            except ValueError as exc:
                raise StatsArgumentError(f"{exc}. {USAGE}") from None
    return StatsQuery(days=days, tier=tier, area=area)
