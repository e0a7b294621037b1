"""The report's chart style and primitives: colours, page size, matplotlib settings, a
figure outside pyplot, SVG output and the shared axes helpers.

Its own module so every chart module (:mod:`reports.charts`, :mod:`reports.charts_history`,
:mod:`reports.liquidations`) draws the same way without importing one another (the
liquidations section is part of the context, which the main charts read).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

#: One colour per asset (sober, distinguishable in greyscale by line style too).
ASSET_COLOURS = {"ETH": "#1f4e79", "BTC": "#b06a00"}
OTHER_COLOUR = "#555555"
REFERENCE_COLOUR = "#7a7a7a"

WIDTH_IN = 6.7  # 17 cm, the text block of an A4 page with 2 cm margins
HEIGHT_IN = 2.7

_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "perp-fragility",
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 9,
    "axes.labelsize": 8,
    "axes.edgecolor": "#444444",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.5,
    "legend.frameon": False,
    "legend.fontsize": 7.5,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "lines.linewidth": 1.4,
    "path.simplify": False,
}


def colour(asset: str) -> str:
    return ASSET_COLOURS.get(asset, OTHER_COLOUR)


def svg_data_uri(svg: str) -> str:
    """Embed an SVG document as a base64 ``data:`` URL."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


@contextmanager
def _figure(height_in: float = HEIGHT_IN) -> Iterator[tuple[Figure, Axes]]:
    """A fresh figure with the report's style, outside pyplot (no global state, Agg canvas)."""
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(WIDTH_IN, height_in))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        yield fig, ax


def _to_svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight", pad_inches=0.04)
    return buf.getvalue()


def _percent_axis(ax: Axes, digits: int = 0) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.{digits}f} %"))


def _date_axis(ax: Axes) -> None:
    ax.xaxis.set_major_locator(AutoDateLocator(minticks=4, maxticks=8))
    ax.xaxis.set_major_formatter(DateFormatter("%d %b"))


def _no_data(ax: Axes, what: str) -> None:
    ax.text(0.5, 0.5, f"no {what} in the warehouse for this window", ha="center", va="center",
            transform=ax.transAxes, color=REFERENCE_COLOUR)
    ax.set_xticks([])
    ax.set_yticks([])
