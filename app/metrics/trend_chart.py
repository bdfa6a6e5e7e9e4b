"""The daily escalation-rate trend as a PNG line chart (matplotlib, rendered off-screen).

The chart is drawn on a :class:`~matplotlib.figure.Figure` with the Agg canvas directly, never
through ``pyplot``: no display or GUI backend is touched, no global figure state is kept between
calls, and concurrent renders in one process don't share anything.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

WIDTH_PX = 800
HEIGHT_PX = 320
DPI = 100
LINE_COLOR = "#1264A3"
GRID_COLOR = "#DDDDDD"
TEXT_COLOR = "#1D1C1D"
MIN_Y_TOP = 5.0  # percent: a flat, low trend still gets some height
MAX_DATE_TICKS = 7


def _y_top(values: Sequence[float]) -> float:
    """A little headroom above the highest rate, never above 100%."""
    highest = max((v for v in values if not math.isnan(v)), default=0.0)
    return min(100.0, max(MIN_Y_TOP, highest * 1.15))


def _date_ticks(days: Sequence[date]) -> tuple[list[int], list[str]]:
    """At most ``MAX_DATE_TICKS`` evenly spaced day positions, always the latest day."""
    if not days:
        return [], []
    step = max(1, math.ceil(len(days) / MAX_DATE_TICKS))
    positions = list(range(len(days) - 1, -1, -step))[::-1]
    return positions, [f"{days[i]:%b %d}" for i in positions]


def render_trend_png(points: Sequence[tuple[date, float | None]], *, title: str) -> bytes:
    """A ``WIDTH_PX`` by ``HEIGHT_PX`` PNG of ``(day, percent)`` points, oldest first; a ``None``
    percent (a day without conversations) is a gap in the line."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(title, loc="left", fontsize=12, color=TEXT_COLOR)
    days = [day for day, _ in points]
    values = [math.nan if value is None else float(value) for _, value in points]
    if any(not math.isnan(v) for v in values):
        axes.plot(range(len(values)), values, color=LINE_COLOR, linewidth=2, marker="o", ms=3)
    else:
        axes.text(
            0.5,
            0.5,
            "No conversations in this period",
            transform=axes.transAxes,
            ha="center",
            va="center",
            color=TEXT_COLOR,
        )
    positions, labels = _date_ticks(days)
    axes.set_xticks(positions, labels)
    axes.set_xlim(-0.5, max(len(days), 1) - 0.5)
    axes.set_ylim(0, _y_top(values))
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5))
    axes.yaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
    axes.grid(axis="y", color=GRID_COLOR, linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(colors=TEXT_COLOR, labelsize=9)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
