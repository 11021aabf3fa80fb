"""Scoring stage: one hydra_score per cluster, with the signals behind it.

    hydra_score = concealment x (w_link x link_strength + w_coord x coordination
                                 + w_content x content + w_volume x volume)

* ``link_strength``: mean strength of the cluster's clustering links.
* ``concealment``: 1 minus the largest share of members that declared the same
  org_id. A declared team sharing a card is a known team, not a hidden one, so
  it gates the whole score rather than adding to it.
* ``coordination``: from the coordination stage (around-the-clock flat rate
  or minute-level synchrony).
* ``content``: share of the cluster's prompts in distillation families
  (reasoning elicitation, rubric grading, sensitive rewrites, agentic, coding).
* ``volume``: mean of the cluster's total exchanges on a log scale
  (100 -> 0, 10,000 -> 1) and its requests per account per active day
  (saturating at ``volume_saturation_per_account_day``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from linkage.kinds import CONTENT_FAMILIES
from linkage.settings import Settings

_VOLUME_FLOOR = 100.0
_VOLUME_CEILING = 10_000.0


def score_clusters(
    membership: pd.DataFrame,
    accounts: pd.DataFrame,
    requests: pd.DataFrame,
    internal: pd.DataFrame,
    coordination: pd.DataFrame,
    settings: Settings,
) -> pd.DataFrame:
    """One row per cluster: counts, activity window, component signals, score and flag."""
    keys = membership.groupby("cluster_key").size().rename("account_count").to_frame()

    strong = internal[internal["strength"] >= settings.cluster.min_link_strength]
    keys["link_strength"] = strong.groupby("cluster_key")["strength"].mean().reindex(keys.index)
    keys["link_strength"] = keys["link_strength"].fillna(0.0)

    declared = membership.merge(accounts[["account_id", "org_id"]], how="left")
    declared = declared[declared["org_id"].notna() & (declared["org_id"].astype("str") != "")]
    top_org_members = (
        declared.groupby(["cluster_key", "org_id"]).size().groupby("cluster_key").max()
    )
    top_org_share = (top_org_members / keys["account_count"]).reindex(keys.index).fillna(0.0)
    keys["concealment"] = 1.0 - top_org_share

    content_columns = [f"content_{family}" for family in CONTENT_FAMILIES]
    clustered = requests[["account_id", "ts", "has_prompt", *content_columns]].merge(
        membership[["account_id", "cluster_key"]]
    )
    clustered["distillation"] = clustered[content_columns].any(axis=1)
    clustered["day"] = clustered["ts"].dt.floor("D")
    grouped = clustered.groupby("cluster_key")
    keys["exchange_count"] = grouped.size().reindex(keys.index).fillna(0).astype(np.int64)
    keys["first_activity"] = grouped["ts"].min().reindex(keys.index)
    keys["last_activity"] = grouped["ts"].max().reindex(keys.index)
    with_prompt = clustered[clustered["has_prompt"]].groupby("cluster_key")
    prompt_count = with_prompt.size().reindex(keys.index).fillna(0)
    for family, column in zip(CONTENT_FAMILIES, content_columns, strict=True):
        share = with_prompt[column].sum().reindex(keys.index).fillna(0) / prompt_count.clip(lower=1)
        keys[f"share_{family}"] = share.round(4)
    keys["content"] = with_prompt["distillation"].sum().reindex(keys.index).fillna(
        0
    ) / prompt_count.clip(lower=1)

    account_days = clustered.groupby(["cluster_key", "account_id"])["day"].nunique()
    active_account_days = account_days.groupby("cluster_key").sum().reindex(keys.index).fillna(0)
    keys["requests_per_account_day"] = keys["exchange_count"] / active_account_days.clip(lower=1)
    total_signal = np.log10(keys["exchange_count"].clip(lower=1) / _VOLUME_FLOOR) / np.log10(
        _VOLUME_CEILING / _VOLUME_FLOOR
    )
    rate_signal = np.log1p(keys["requests_per_account_day"]) / np.log1p(
        settings.score.volume_saturation_per_account_day
    )
    keys["volume"] = (total_signal.clip(0.0, 1.0) + rate_signal.clip(0.0, 1.0)) / 2.0

    keys = keys.join(coordination.set_index("cluster_key"), how="left")
    keys["coordination"] = keys["coordination"].fillna(0.0)

    weights = settings.score.score_weights
    weight_total = sum(weights.values()) or 1.0
    behaviour = (
        weights["link_strength"] * keys["link_strength"]
        + weights["coordination"] * keys["coordination"]
        + weights["content"] * keys["content"]
        + weights["volume"] * keys["volume"]
    ) / weight_total
    keys["hydra_score"] = (keys["concealment"] * behaviour).clip(0.0, 1.0).round(4)
    keys["flagged"] = keys["hydra_score"] >= settings.score.flag_threshold
    data_end = requests["ts"].max()
    keys["still_active"] = keys["last_activity"] >= data_end - pd.Timedelta(
        hours=settings.score.still_active_hours
    )
    for column in ("link_strength", "concealment", "content", "volume", "requests_per_account_day"):
        keys[column] = keys[column].round(4)
    return keys.reset_index()
