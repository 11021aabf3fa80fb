"""Report stage: the attribution report an investigator reads, as one self-contained HTML file.

``render_report`` turns a :class:`~linkage.run_model.Run` into
``report.html``: a summary of the run, the flagged campaigns ranked by
hydra_score, and for each campaign the organisation with the chain of
evidence behind it, the alternatives, the members, the shared
infrastructure, an activity timeline, a picture of the cluster's graph and
its content profile; then a short list of the clusters that were not
flagged.

The file opens offline and fetches nothing: inline CSS and inline SVG, no
script, no external font or image, and a Content-Security-Policy that
forbids loading anything. Figures shown for a campaign carry a
``data-field`` attribute naming the campaigns.json field they show, so
tools and tests can read them back.

The work is split three ways: :mod:`linkage.deliver.report_data` shapes what
is shown, the Jinja2 templates in ``linkage/deliver/templates/`` lay it out
(autoescaped, so every value from the data is escaped by the engine), and
:mod:`linkage.deliver.svg` draws the charts.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import jinja2
import pandas as pd

from linkage import __version__
from linkage.deliver import report_data, svg
from linkage.deliver.report_data import (
    COMPONENT_LABELS,
    TIMING_LABELS,
    ReportTables,
    anchor,
    bin_unit,
    campaign_view,
    summary_of,
)
from linkage.run_model import Run

DASH = "–"
"""Shown for a missing value."""


def is_missing(value: Any) -> bool:
    """Whether a value is absent: None, NaN, NaT or an undefined template variable.

    Examples
    --------
    >>> is_missing(None), is_missing(float("nan")), is_missing(pd.NaT), is_missing("")
    (True, True, True, False)
    """
    if value is None or isinstance(value, jinja2.Undefined):
        return True
    if isinstance(value, str):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def or_dash(value: Any) -> Any:
    """The value, or a dash when it is missing (the template escapes it)."""
    return DASH if is_missing(value) else value


def as_count(value: Any) -> str:
    """A whole number with thousands separators.

    Examples
    --------
    >>> as_count(12345), as_count(None)
    ('12,345', '–')
    """
    return DASH if is_missing(value) else f"{int(value):,}"


def as_number(value: Any, digits: int = 2) -> str:
    """A number with ``digits`` decimals.

    Examples
    --------
    >>> as_number(0.456), as_number(3, 1), as_number(float("nan"))
    ('0.46', '3.0', '–')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    return f"{float(value):.{digits}f}"


def as_percent(value: Any) -> str:
    """A share in 0..1 as a whole percentage.

    Examples
    --------
    >>> as_percent(0.456)
    '46%'
    """
    return DASH if value is None else f"{float(value) * 100:.0f}%"


def as_utc(value: Any) -> str:
    """A moment to the minute, with its zone.

    Examples
    --------
    >>> as_utc("2026-01-02T03:04:05")
    '2026-01-02 03:04 UTC'
    """
    if is_missing(value):
        return DASH
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M UTC")


def as_table_time(value: Any) -> str:
    """A moment to the minute, without the zone (a table's header names it)."""
    return DASH if is_missing(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


@cache
def environment() -> jinja2.Environment:
    """The template environment: the package's templates, every value autoescaped."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("linkage.deliver", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        count=as_count,
        num=as_number,
        pct=as_percent,
        utc=as_utc,
        table_time=as_table_time,
        dash=or_dash,
        anchor=anchor,
        unit=bin_unit,
    )
    env.tests["missing"] = is_missing
    env.globals.update(
        svg=svg,
        component_labels=COMPONENT_LABELS,
        timing_labels=TIMING_LABELS,
        account_colour=svg.ACCOUNT_NODE_COLOUR,
    )
    return env


def render_report(run: Run) -> str:
    """The run's attribution report as one self-contained HTML page.

    Parameters
    ----------
    run
        A finished run, just computed or read from its folder.

    Returns
    -------
    str
        HTML that opens offline: inline CSS and SVG only, every data value escaped.
    """
    tables = ReportTables(run)
    flagged = tables.flagged
    # read at render time, not import time, so tests can lower the limits
    detailed = report_data.DETAILED_CAMPAIGNS
    unflagged = [c for c in run.campaigns if not c["flagged"]]
    template = environment().get_template("report.html.j2")
    return template.render(
        info=run.info,
        version=__version__,
        summary=summary_of(run, flagged),
        flagged=flagged,
        campaigns=[
            campaign_view(rank, c, tables) for rank, c in enumerate(flagged[:detailed], start=1)
        ],
        detailed=detailed,
        unflagged=unflagged,
        unflagged_shown=unflagged[: report_data.UNFLAGGED_ROWS],
        threshold=run.setting("score", "flag_threshold"),
        declared_orgs=tables.declared_orgs,
        heat_colours=svg.HEAT_COLOURS,
    )
