"""Stable cluster ids: the same accounts give the same id, a growing cluster keeps its id.

Without a previous run, a cluster is named after its *anchor*, the member
that signed up first (ties broken by account id): new members join later,
so a cluster that grows keeps its anchor and its id. With a previous run's
``clusters.csv``, each new cluster first takes the id of the previous
cluster it overlaps most (greedy by overlap, one to one), provided the
overlap is at least ``min_overlap_to_keep_id`` of either side; so a cluster
that shrank, or lost its anchor, keeps its id too.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from linkage.settings import Settings


def anchor_id(account_id: str) -> str:
    """The cluster id a cluster anchored on ``account_id`` gets.

    >>> anchor_id("acct_1")
    'HC-47809e466c'
    """
    return "HC-" + hashlib.sha256(account_id.encode("utf-8")).hexdigest()[:10]


def assign_cluster_ids(
    membership: pd.DataFrame,
    accounts: pd.DataFrame,
    previous: pd.DataFrame | None,
    settings: Settings,
) -> pd.Series:
    """Map each ``cluster_key`` to a stable ``cluster_id``.

    ``previous`` is a previous run's clusters table (``account_id, cluster_id``).

    Examples
    --------
    >>> accounts = pd.DataFrame({"account_id": ["a", "b", "c"],
    ...     "created_at": pd.to_datetime(["2026-01-02", "2026-01-01", "2026-01-03"], utc=True)})
    >>> membership = pd.DataFrame({"account_id": ["a", "b", "c"], "cluster_key": [0, 0, 0]})
    >>> assign_cluster_ids(membership, accounts, None, Settings())[0] == anchor_id("b")
    True
    >>> previous = pd.DataFrame({"account_id": ["a", "c"], "cluster_id": ["HC-old", "HC-old"]})
    >>> assign_cluster_ids(membership, accounts, previous, Settings())[0]
    'HC-old'
    """
    if membership.empty:
        return pd.Series(dtype="str")
    members = membership.merge(accounts[["account_id", "created_at"]], how="left")
    members = members.sort_values(["cluster_key", "created_at", "account_id"], na_position="last")
    anchors = members.groupby("cluster_key")["account_id"].first()
    ids: dict[int, str] = {}
    taken: set[str] = set()

    if previous is not None and not previous.empty:
        overlap = membership.merge(previous[["account_id", "cluster_id"]], on="account_id")
        counts = (
            overlap.groupby(["cluster_key", "cluster_id"]).size().rename("shared").reset_index()
        )
        new_size = membership.groupby("cluster_key").size()
        old_size = previous.groupby("cluster_id").size()
        counts["share_of_new"] = counts["shared"] / counts["cluster_key"].map(new_size)
        counts["share_of_old"] = counts["shared"] / counts["cluster_id"].map(old_size)
        eligible = counts[
            (counts["share_of_new"] >= settings.ids.min_overlap_to_keep_id)
            | (counts["share_of_old"] >= settings.ids.min_overlap_to_keep_id)
        ].sort_values(["shared", "cluster_id", "cluster_key"], ascending=[False, True, True])
        for row in eligible.itertuples():
            if row.cluster_key in ids or row.cluster_id in taken:
                continue
            ids[int(row.cluster_key)] = str(row.cluster_id)
            taken.add(str(row.cluster_id))

    for cluster_key, anchor in anchors.items():
        key = int(cluster_key)
        if key in ids:
            continue
        candidate = anchor_id(anchor)
        if candidate in taken:
            # the anchor's id went to the cluster that kept most of the old one
            sorted_members = ",".join(
                sorted(members.loc[members["cluster_key"] == key, "account_id"])
            )
            candidate = anchor_id(anchor + "|" + sorted_members)
        ids[key] = candidate
        taken.add(candidate)
    return pd.Series(ids, dtype="str").sort_index()
