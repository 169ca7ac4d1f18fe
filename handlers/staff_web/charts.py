"""The overview's charts: SVG drawn on the server by pygal, shown as images beside the numbers.

pygal (a maintained SVG charting library, pure Python, no browser code needed) draws bar charts
whose labels come from our catalogs. Its tooltips need a script from the internet, so scripts
are switched off: the chart is a plain picture, and the table beside it carries the numbers.
Charts go into the page as data: images, so the page needs no second request and the page's
no-inline-style policy does not touch the chart's own styles. A chart is drawn again only when
its numbers (or the language) change.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from functools import lru_cache

import pygal
from pygal.style import Style

STYLE = Style(
    background="white", plot_background="white", foreground="#1f2933",
    foreground_strong="#1f2933", foreground_subtle="#d9e2ec", opacity="1", opacity_hover="1",
    colors=("#1d6fa5", "#2f9e44", "#e8590c", "#7048e8", "#c2255c"),
    font_family="DejaVu Sans, Arial, sans-serif", label_font_size=13, major_label_font_size=13,
    value_font_size=12, legend_font_size=13, title_font_size=15,
)


_SCRIPT = re.compile(rb"<script[^>]*>.*?</script>", re.DOTALL)


def _data_uri(svg: bytes) -> str:
    # pygal still writes its tooltip settings as a script; an image never runs it: drop it.
    svg = _SCRIPT.sub(b"", svg)
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


@lru_cache(maxsize=64)
def funnel_chart(labels: tuple[str, ...], counts: tuple[int, ...]) -> str:
    """The funnel, one bar per stage, as a data: URI of an SVG."""
    chart = pygal.HorizontalBar(
        style=STYLE, js=[], width=560, height=60 + 36 * len(labels), show_legend=False,
        print_values=True, show_y_guides=False, margin=8, spacing=6,
        disable_xml_declaration=False)
    # HorizontalBar draws the first label at the bottom: reversed, the funnel reads top down.
    chart.x_labels = list(reversed(labels))
    chart.add("", list(reversed(counts)))
    return _data_uri(chart.render())


@lru_cache(maxsize=64)
def breakdown_chart(groups: tuple[str, ...], series: tuple[tuple[str, tuple[int, ...]], ...]
                    ) -> str:
    """Several funnel stages per group (a product, a kecamatan, …), as a data: URI of an SVG."""
    chart = pygal.HorizontalBar(
        style=STYLE, js=[], width=560, height=90 + 22 * len(groups) * len(series),
        legend_at_bottom=True, legend_at_bottom_columns=2, truncate_legend=-1,
        print_values=False,
        show_y_guides=False, margin=8, spacing=6, truncate_label=24)
    chart.x_labels = list(reversed(groups))
    for name, values in series:
        chart.add(name, list(reversed(values)))
    return _data_uri(chart.render())


def stage_series(names: Sequence[str], rows: Sequence[Sequence[int]],
                 stages: Sequence[int]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """The chosen stages (by index) of every group's funnel, one series per stage."""
    return tuple((names[i], tuple(row[i] for row in rows)) for i in stages)
