"""The escalation-rate trend chart: a PNG of fixed size, whatever the points."""

from __future__ import annotations

import struct
import zlib
from datetime import date, timedelta

import pytest

from app.metrics.trend_chart import HEIGHT_PX, WIDTH_PX, render_trend_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FIRST_DAY = date(2026, 4, 2)
TITLE = "Escalation rate, last 30 days (UTC)"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk (the first one, right after the signature)."""
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    body = data[16 : 16 + length]
    (crc,) = struct.unpack(">I", data[16 + length : 20 + length])
    assert zlib.crc32(kind + body) == crc
    width, height = struct.unpack(">II", body[:8])
    return width, height


def days(values: list[float | None]) -> list[tuple[date, float | None]]:
    return [(FIRST_DAY + timedelta(days=i), value) for i, value in enumerate(values)]


@pytest.mark.parametrize(
    "points",
    [
        pytest.param(days([float(i % 9) * 2.5 for i in range(30)]), id="thirty-days"),
        pytest.param(days([12.0, None, None, 30.0, None, 8.5, 0.0]), id="gaps"),
        pytest.param(days([None] * 30), id="no-conversations"),
        pytest.param(days([100.0, 100.0]), id="every-conversation-escalated"),
        pytest.param(days([42.0]), id="one-day"),
        pytest.param([], id="empty"),
    ],
)
def test_renders_a_png_of_the_fixed_size(points: list[tuple[date, float | None]]) -> None:
    data = render_trend_png(points, title=TITLE)
    assert data.startswith(PNG_SIGNATURE)
    assert png_size(data) == (WIDTH_PX, HEIGHT_PX) == (800, 320)
    assert data.endswith(b"IEND\xaeB`\x82")


def test_the_same_points_give_the_same_image() -> None:
    points = days([5.0, None, 7.5, 10.0])
    assert render_trend_png(points, title=TITLE) == render_trend_png(points, title=TITLE)


def test_different_points_give_a_different_image() -> None:
    flat = render_trend_png(days([5.0] * 10), title=TITLE)
    rising = render_trend_png(days([float(i) for i in range(10)]), title=TITLE)
    assert flat != rising
