"""Charts and graph pictures of the report, as inline SVG.

Pure functions: data in, an SVG fragment out, returned as :class:`markupsafe.Markup` so a
template inserts it as is. Every value that comes from the data (account ids, organisation
names, attribute values, dates) is escaped here with :func:`markupsafe.escape` before it goes
into the SVG; numbers are formatted, never inserted raw.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise

import networkx as nx
import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from linkage.kinds import ATTRIBUTE_KINDS

ACCOUNT_COLOURS = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#2f4b7c",
)
OTHER_COLOUR = "#bab0ac"
HEAT_COLOURS = ("#fde4cf", "#fbc79d", "#f7a66f", "#ef8049", "#dd5a33", "#bb3a22", "#8c2315")
ATTRIBUTE_COLOURS = {k.name: k.colour for k in ATTRIBUTE_KINDS.values()}
ACCOUNT_NODE_COLOUR = "#4e79a7"

OTHERS_NODE = ("o", "others")
"""The node standing for the members of a large cluster not drawn one by one."""

Node = tuple[str, str]


def nice_step(peak: float) -> int:
    """A round axis step giving about four ticks up to ``peak``.

    Examples
    --------
    >>> nice_step(37), nice_step(4), nice_step(1200)
    (10, 1, 500)
    """
    raw = max(peak / 4.0, 1.0)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return int(factor * magnitude)
    return int(10 * magnitude)


def _stamp(moment: pd.Timestamp) -> str:
    return str(escape(moment.strftime("%Y-%m-%d %H:%M")))


def bar_rows(values: Sequence[tuple[str, float]], colour: str, width: int = 520) -> Markup:
    """Horizontal bars, one per (label, share in 0..1), with the share as a percentage."""
    row_height = 24
    label_width = 190
    bar_width = width - label_width - 60
    height = row_height * len(values) + 6
    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" role="img">']
    for i, (label, value) in enumerate(values):
        y = 4 + i * row_height
        share = 0.0 if value is None or math.isnan(value) else max(0.0, min(1.0, float(value)))
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="12" fill="#1d2330">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{bar_width}" height="14" '
            'fill="#eef0f4"/>'
            f'<rect x="{label_width}" y="{y + 3}" width="{bar_width * share:.1f}" height="14" '
            f'fill="{escape(colour)}"/>'
            f'<text x="{label_width + bar_width + 6}" y="{y + 14}" font-size="12" '
            f'fill="#1d2330">{share * 100:.0f}%</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_bars(
    counts: np.ndarray,
    colours: Sequence[str],
    start: pd.Timestamp,
    end: pd.Timestamp,
    bin_hours: int,
) -> Markup:
    """Exchanges per time bin (rows of ``counts``), stacked by group (columns), with axes."""
    n_bins, n_groups = counts.shape
    width, height = 1080, 260
    left, right, top_pad, bottom = 64, 12, 12, 40
    plot_w = width - left - right
    plot_h = height - top_pad - bottom
    peak = int(counts.sum(axis=1).max()) or 1
    step = nice_step(peak)
    y_max = step * math.ceil(peak / step)
    bar_w = plot_w / n_bins
    cumulative = np.cumsum(counts, axis=1)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" role="img" '
        f'aria-label="exchanges per {int(bin_hours)} hour(s)">'
    ]
    for tick in range(0, y_max + 1, step):
        y = top_pad + plot_h - plot_h * tick / y_max
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#e3e6ec" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#5b6475">{tick:,}</text>'
        )
    for g in range(n_groups):
        lower = cumulative[:, g] - counts[:, g]
        upper = cumulative[:, g]
        present = np.flatnonzero(counts[:, g])
        if not len(present):
            continue
        x = left + present * bar_w
        y_top = top_pad + plot_h - plot_h * upper[present] / y_max
        h = plot_h * (upper[present] - lower[present]) / y_max
        w = max(bar_w - (0.6 if bar_w > 3 else 0.0), 0.6)
        d = "".join(
            f"M{xi:.1f} {yi:.1f}h{w:.2f}v{hi:.2f}h{-w:.2f}z"
            for xi, yi, hi in zip(x, y_top, h, strict=True)
        )
        parts.append(f'<path d="{d}" fill="{escape(colours[g])}"/>')
    days = pd.date_range(start.ceil("D"), end, freq="D")
    day_step = max(1, math.ceil(len(days) / 12))
    for day in days[::day_step]:
        x = left + plot_w * ((day - start) / pd.Timedelta(hours=1)) / (n_bins * bin_hours)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top_pad}" y2="{top_pad + plot_h + 4}" '
            'stroke="#c5cad3" stroke-dasharray="2 3"/>'
            f'<text x="{x:.1f}" y="{height - bottom + 18}" font-size="11" text-anchor="middle" '
            f'fill="#5b6475">{escape(day.strftime("%b %d"))}</text>'
        )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top_pad + plot_h}" '
        f'y2="{top_pad + plot_h}" stroke="#5b6475"/>'
        f'<text x="{left}" y="{height - 6}" font-size="11" fill="#5b6475">'
        f"{_stamp(start)} UTC</text>"
        f'<text x="{width - right}" y="{height - 6}" font-size="11" text-anchor="end" '
        f'fill="#5b6475">{_stamp(end)} UTC</text></svg>'
    )
    return Markup("".join(parts))


def raster(counts: np.ndarray, colours: Sequence[str], labels: Sequence[str]) -> Markup:
    """One row per group (column of ``counts``): a mark in every time bin it was active."""
    rows = len(colours)
    n_bins = counts.shape[0]
    width, row_h, left = 1080, 13, 64
    plot_w = width - left - 12
    height = rows * row_h + 6
    bar_w = plot_w / n_bins
    w = max(bar_w - (0.4 if bar_w > 3 else 0.0), 0.8)
    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" role="img">']
    for g in range(rows):
        present = np.flatnonzero(counts[:, g])
        y = 3 + g * row_h
        parts.append(
            f'<text x="{left - 6}" y="{y + 10}" font-size="10" text-anchor="end" '
            f'fill="#5b6475">{escape(labels[g])}</text>'
            f'<rect x="{left}" y="{y}" width="{plot_w}" height="{row_h - 3}" fill="#f3f4f7"/>'
        )
        if len(present):
            d = "".join(
                f"M{left + b * bar_w:.1f} {y}h{w:.2f}v{row_h - 3}h{-w:.2f}z" for b in present
            )
            parts.append(f'<path d="{d}" fill="{escape(colours[g])}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _heat_paths(levels: np.ndarray, left: float, top: float, cell_w: float, row_h: float) -> str:
    """One path per level; runs of equal cells in a row are one rectangle (a smaller file)."""
    paths: dict[int, list[str]] = {}
    for r, row in enumerate(levels):
        edges = np.flatnonzero(np.diff(np.concatenate(([-1], row, [-1]))) != 0)
        for a, b in pairwise(edges):
            if row[a]:
                paths.setdefault(int(row[a]), []).append(
                    f"M{left + a * cell_w:.1f} {top + r * row_h:.1f}"
                    f"h{(b - a) * cell_w:.2f}v{row_h:.2f}h{-(b - a) * cell_w:.2f}z"
                )
    return "".join(
        f'<path d="{"".join(parts)}" fill="{HEAT_COLOURS[level - 1]}"/>'
        for level, parts in sorted(paths.items())
    )


def heatmap(levels: np.ndarray, accounts: int, start: pd.Timestamp, end: pd.Timestamp) -> Markup:
    """Rows by time bins, each cell coloured by its level (0: empty, else 1..len(HEAT_COLOURS))."""
    n_rows, n_bins = levels.shape
    width, left, right, top = 1080, 64, 12, 6
    row_h = max(2.0, min(8.0, 480 / n_rows))
    plot_h = row_h * n_rows
    cell_w = (width - left - right) / n_bins
    height = int(top + plot_h + 22)
    return Markup(
        f'<svg viewBox="0 0 {width} {height}" width="{width}" role="img" '
        f'aria-label="heat map of {int(accounts)} accounts by time">'
        f'<rect x="{left}" y="{top}" width="{width - left - right}" height="{plot_h:.1f}" '
        'fill="#f3f4f7"/>'
        + _heat_paths(levels, left, top, cell_w, row_h)
        + f'<text x="{left - 6}" y="{top + 9}" font-size="10" text-anchor="end" '
        'fill="#5b6475">first</text>'
        f'<text x="{left - 6}" y="{top + plot_h:.1f}" font-size="10" text-anchor="end" '
        'fill="#5b6475">last</text>'
        f'<text x="{left}" y="{height - 6}" font-size="11" fill="#5b6475">'
        f"{_stamp(start)} UTC</text>"
        f'<text x="{width - right}" y="{height - 6}" font-size="11" text-anchor="end" '
        f'fill="#5b6475">{_stamp(end)} UTC</text></svg>'
    )


def spread(coords: np.ndarray) -> np.ndarray:
    """Layout coordinates scaled into the unit square, a dense core spread out.

    A few attributes held by one or two sampled members float far from a
    tightly linked core; the square root of the distance from the centre
    (same angle) gives the core room without losing the outliers.

    Examples
    --------
    >>> spread(np.array([[0.0, 0.0], [0.01, 0.0], [1.0, 1.0]])).round(2).tolist()
    [[0.0, 0.0], [0.11, 0.0], [1.0, 1.0]]
    """
    if len(coords) == 0:
        return coords
    centre = np.median(coords, axis=0)
    offsets = coords - centre
    radius = np.linalg.norm(offsets, axis=1, keepdims=True)
    scaled = np.where(
        radius > 0, offsets / np.where(radius > 0, radius, 1.0) * np.sqrt(radius), 0.0
    )
    low, high = scaled.min(axis=0), scaled.max(axis=0)
    return (scaled - low) / np.where(high - low > 0, high - low, 1.0)


def cluster_graph(
    graph: nx.Graph, labels: Mapping[Node, str], declared: Mapping[str, object], cluster_id: str
) -> Markup:
    """The bipartite graph of accounts and the attributes they share (spring layout, seed 0).

    Account nodes are ``("a", account_id)``, attribute nodes ``("t", "kind\\x1fvalue")`` with
    their hover text in ``labels``; :data:`OTHERS_NODE`, if present, stands for
    ``graph.graph["others"]`` members, its edges carrying how many of them hold the attribute.
    ``declared`` maps account ids to the organisation they declared.
    """
    width, height, pad = 1080, 520, 24
    positions = nx.spring_layout(graph, seed=0)
    placed = spread(np.array([positions[n] for n in graph.nodes]))
    where = {node: placed[i] for i, node in enumerate(graph.nodes)}

    def xy(node: Node) -> tuple[float, float]:
        x, y = where[node]
        return pad + x * (width - 2 * pad), pad + y * (height - 2 * pad)

    plain = [(a, b) for a, b in graph.edges if OTHERS_NODE not in (a, b)]
    edges = "".join("M{:.1f} {:.1f}L{:.1f} {:.1f}".format(*xy(a), *xy(b)) for a, b in plain)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" role="img" '
        f'aria-label="graph of cluster {escape(cluster_id)}">',
        f'<rect width="{width}" height="{height}" fill="#fbfbfc"/>',
        f'<path d="{edges}" stroke="#aab1bd" stroke-width="0.7" stroke-opacity="0.7" fill="none"/>',
    ]
    if graph.has_node(OTHERS_NODE):
        parts.append(_others_edges(graph, xy))
    parts.extend(_graph_node(graph, node, xy(node), labels, declared) for node in graph.nodes)
    parts.append("</svg>")
    return Markup("".join(parts))


def _others_edges(graph: nx.Graph, xy: Callable[[Node], tuple[float, float]]) -> str:
    """Edges from the node of the members not drawn, as thick as how many of them hold it."""
    peak = max(data["holders"] for _, _, data in graph.edges(OTHERS_NODE, data=True))
    lines = []
    for _, node, data in graph.edges(OTHERS_NODE, data=True):
        (x1, y1), (x2, y2) = xy(OTHERS_NODE), xy(node)
        stroke = 0.8 + 5.0 * data["holders"] / peak
        lines.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#7f8794" '
            f'stroke-width="{stroke:.1f}" stroke-opacity="0.35"/>'
        )
    return "".join(lines)


def _graph_node(
    graph: nx.Graph,
    node: Node,
    at: tuple[float, float],
    labels: Mapping[Node, str],
    declared: Mapping[str, object],
) -> str:
    x, y = at
    if node == OTHERS_NODE:
        count = int(graph.graph.get("others", 0))
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="16" fill="#dfe3ea" stroke="#5b6475" '
            f'stroke-dasharray="3 2"><title>{count} other members, drawn as one '
            f'node</title></circle><text x="{x:.1f}" y="{y + 4:.1f}" font-size="11" '
            f'text-anchor="middle" fill="#1d2330">+{count}</text>'
        )
    if node[0] == "a":
        org = declared.get(node[1])
        has_org = isinstance(org, str) and bool(org)
        ring = "#1d2330" if has_org else "#ffffff"
        title = f"account {node[1]}" + (f" (declared org {org})" if has_org else "")
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{ACCOUNT_NODE_COLOUR}" '
            f'stroke="{ring}" stroke-width="1.5"><title>{escape(title)}</title></circle>'
        )
    kind = node[1].split("\x1f", 1)[0]
    holders = sum(d.get("holders", 1) for _, _, d in graph.edges(node, data=True))
    size = 6 + min(8.0, holders**0.5 * 1.5)
    return (
        f'<rect x="{x - size / 2:.1f}" y="{y - size / 2:.1f}" width="{size:.1f}" '
        f'height="{size:.1f}" fill="{escape(ATTRIBUTE_COLOURS.get(kind, "#7f7f7f"))}" '
        f'stroke="#ffffff" stroke-width="1"><title>{escape(labels[node])} '
        f"({int(holders)} members)</title></rect>"
    )
