"""Coordination stage: timing signals of each cluster's combined traffic.

Two patterns give a hydra away:

* **Load balancing** (turn-taking): a dispatcher spreads one stream over many
  accounts so that each stays under its limits. Members rarely overlap, so
  co-occurrence measures miss it, but the cluster's *combined* hourly rate
  is flat around the clock, like a Poisson process (index of dispersion near
  1), where people's traffic follows days, nights and sessions.
* **Synchronisation**: members fire in the same minute far more often than
  their hourly rates explain (batch jobs, one script driving many keys).

All signals are in 0..1 and computed with group-bys, never per request.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from linkage.settings import Settings

_MIN_SPAN_HOURS = 24
"""A cluster active for a few hours is not 'around the clock' however busy it was."""

COORDINATION_COLUMNS = [
    "cluster_key",
    "span_hours",
    "active_hour_share",
    "dispersion",
    "flatness",
    "around_the_clock",
    "member_hour_share",
    "turn_taking",
    "synchrony",
    "coordination",
]


def coordination_signals(
    requests: pd.DataFrame, membership: pd.DataFrame, settings: Settings
) -> pd.DataFrame:
    """One row of timing signals per cluster.

    ``requests`` needs ``account_id`` and ``ts``; ``membership`` maps
    ``account_id`` to ``cluster_key``.

    Examples
    --------
    >>> ts = pd.date_range("2026-10-01", periods=480, freq="6min", tz="UTC")
    >>> requests = pd.DataFrame({"account_id": ["a", "b", "c"] * 160, "ts": ts})
    >>> membership = pd.DataFrame({"account_id": ["a", "b", "c"], "cluster_key": [0, 0, 0]})
    >>> signals = coordination_signals(requests, membership, Settings())
    >>> float(signals.loc[0, "around_the_clock"])  # a steady dispatcher, 48 hours, every hour
    1.0
    """
    clustered = requests[["account_id", "ts"]].merge(membership[["account_id", "cluster_key"]])
    if clustered.empty:
        return pd.DataFrame(columns=COORDINATION_COLUMNS)
    epoch_seconds = clustered["ts"].dt.as_unit("s").astype("int64")
    bin_seconds = settings.coordination.coordination_bin_minutes * 60
    clustered["hour"] = epoch_seconds // bin_seconds
    clustered["minute"] = epoch_seconds // settings.coordination.sync_bin_seconds

    hourly = clustered.groupby(["cluster_key", "hour"], sort=False).size().rename("n").reset_index()
    hourly["n_squared"] = hourly["n"].astype(float) ** 2
    per_cluster = hourly.groupby("cluster_key").agg(
        first_hour=("hour", "min"),
        last_hour=("hour", "max"),
        active_hours=("hour", "size"),
        total=("n", "sum"),
        sum_sq=("n_squared", "sum"),
    )
    span = (per_cluster["last_hour"] - per_cluster["first_hour"] + 1).clip(lower=_MIN_SPAN_HOURS)
    mean = per_cluster["total"] / span
    variance = per_cluster["sum_sq"] / span - mean**2
    dispersion = (variance / mean).clip(lower=1.0)
    flatness = (
        1.0 - np.log10(dispersion) / np.log10(settings.coordination.dispersion_ceiling)
    ).clip(0.0, 1.0)
    active_share = per_cluster["active_hours"] / span
    around_the_clock = active_share * flatness

    member_hours = (
        clustered.groupby(["cluster_key", "account_id"], sort=False)["hour"].nunique().reset_index()
    )
    member_share = member_hours.groupby("cluster_key")["hour"].mean() / span
    turn_taking = around_the_clock * (1.0 - member_share.reindex(span.index).fillna(0.0))

    synchrony = _synchrony(clustered, settings).reindex(span.index).fillna(0.0)

    signals = pd.DataFrame(
        {
            "span_hours": span,
            "active_hour_share": active_share,
            "dispersion": dispersion,
            "flatness": flatness,
            "around_the_clock": around_the_clock,
            "member_hour_share": member_share.reindex(span.index).fillna(0.0),
            "turn_taking": turn_taking,
            "synchrony": synchrony,
        }
    )
    signals["coordination"] = np.maximum(signals["around_the_clock"], signals["synchrony"])
    return signals.reset_index()[COORDINATION_COLUMNS].round(4)


def _synchrony(clustered: pd.DataFrame, settings: Settings) -> pd.Series:
    """Excess share of requests that share their minute with another member.

    The expectation comes from the hour's traffic: a request whose hour holds
    ``m`` requests of other members finds one of them in its minute with
    probability about ``1 - exp(-m / bins_per_hour)``.
    """
    bins_per_hour = (
        settings.coordination.coordination_bin_minutes * 60 / settings.coordination.sync_bin_seconds
    )
    per_minute = clustered.groupby(["cluster_key", "minute"], sort=False)["account_id"].transform(
        "nunique"
    )
    observed = (per_minute >= 2).astype(float)
    hour_total = clustered.groupby(["cluster_key", "hour"], sort=False)["account_id"].transform(
        "size"
    )
    own_in_hour = clustered.groupby(["cluster_key", "account_id", "hour"], sort=False)[
        "account_id"
    ].transform("size")
    expected = 1.0 - np.exp(-(hour_total - own_in_hour) / bins_per_hour)
    frame = pd.DataFrame(
        {"cluster_key": clustered["cluster_key"], "observed": observed, "expected": expected}
    )
    means = frame.groupby("cluster_key")[["observed", "expected"]].mean()
    excess = (means["observed"] - means["expected"]) / (1.0 - means["expected"]).clip(lower=1e-6)
    return excess.clip(0.0, 1.0)
