from __future__ import annotations

import pytest

from app.metrics.stats_query import USAGE, StatsArgumentError, StatsQuery, parse_stats_query

AREAS = {"billing", "technical", "billing_dispute"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", StatsQuery(30)),
        ("7d", StatsQuery(7)),
        ("90d tier:enterprise", StatsQuery(90, "enterprise")),
        ("area:billing 30d", StatsQuery(30, None, "billing")),
        ("TIER:Pro area:billing_dispute", StatsQuery(30, "pro", "billing_dispute")),
    ],
)
def test_reads_window_and_segments(text: str, expected: StatsQuery) -> None:
    assert parse_stats_query(text, areas=AREAS) == expected


@pytest.mark.parametrize("text", ["help", "7d help", "?"])
def test_help(text: str) -> None:
    assert parse_stats_query(text, areas=AREAS) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tier:gold", "Unknown tier `gold`"),
        ("area:sales", "Unknown area `sales`"),
        ("lastweek", "can't read"),
        ("0d", "between 1 and"),
    ],
)
def test_bad_arguments_get_the_usage_line(text: str, message: str) -> None:
    with pytest.raises(StatsArgumentError) as caught:
        parse_stats_query(text, areas=AREAS)
    assert message in str(caught.value)
    assert str(caught.value).endswith(USAGE)


def test_describe() -> None:
    assert StatsQuery(7, "pro", "billing").describe() == "last 7 days, pro accounts, area billing"
