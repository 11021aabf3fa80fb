"""Evidence stage: what each cluster's members share, and which indicators matched whom.

Turns the incidence and match tables into the per-cluster evidence that
``campaigns.json``, ``takedown.csv`` and the report show. Lists are ranked
(most members first) and cut to ``top`` entries, with the full count kept.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from linkage.formats import iso_utc
from linkage.kinds import ATTRIBUTE_KINDS

EVIDENCE_KEYS = {kind.name: kind.evidence_key for kind in ATTRIBUTE_KINDS.values()}


def shared_attributes(membership: pd.DataFrame, incidence: pd.DataFrame) -> pd.DataFrame:
    """Attributes held by two or more members of the same cluster.

    One row per (cluster_key, attr_type, attr_value) with ``members`` (how many
    members hold it), ``holders`` (how many accounts hold it in all), ``uses``
    and first/last seen.
    """
    held = incidence.merge(membership[["account_id", "cluster_key"]], on="account_id")
    grouped = (
        held.groupby(["cluster_key", "attr_type", "attr_value"], sort=False)
        .agg(
            members=("account_id", "size"),
            holders=("accounts", "first"),
            uses=("uses", "sum"),
            first_seen=("first_seen", "min"),
            last_seen=("last_seen", "max"),
            ip_kind=("ip_kind", "first"),
        )
        .reset_index()
    )
    shared = grouped[grouped["members"] >= 2]
    return shared.sort_values(
        ["cluster_key", "attr_type", "members", "uses", "attr_value"],
        ascending=[True, True, False, False, True],
        ignore_index=True,
    )


def account_shared_counts(
    membership: pd.DataFrame, incidence: pd.DataFrame, shared: pd.DataFrame
) -> pd.DataFrame:
    """Per clustered account, how many of its cluster's shared attributes of each type it holds."""
    held = incidence[["account_id", "attr_type", "attr_value"]].merge(
        membership[["account_id", "cluster_key"]], on="account_id"
    )
    held = held.merge(shared[["cluster_key", "attr_type", "attr_value"]])
    counts = held.groupby(["account_id", "attr_type"]).size().unstack(fill_value=0)
    return counts.reindex(columns=list(EVIDENCE_KEYS), fill_value=0)


def cluster_evidence(
    cluster_keys: list[int],
    shared: pd.DataFrame,
    templates: pd.DataFrame,
    matches: pd.DataFrame,
    membership: pd.DataFrame,
    top: int = 20,
) -> dict[int, dict[str, Any]]:
    """Evidence objects keyed by cluster_key, ready for JSON."""
    template_text = templates.set_index("template_id")["text"] if len(templates) else pd.Series()
    evidence: dict[int, dict[str, Any]] = {
        key: {name: {"total": 0, "items": []} for name in EVIDENCE_KEYS.values()}
        for key in cluster_keys
    }
    ranked = shared.assign(rank=shared.groupby(["cluster_key", "attr_type"]).cumcount())
    totals = shared.groupby(["cluster_key", "attr_type"]).size()
    for (cluster_key, attr_type), total in totals.items():
        if cluster_key in evidence:
            evidence[cluster_key][EVIDENCE_KEYS[attr_type]]["total"] = int(total)
    for row in ranked[ranked["rank"] < top].itertuples():
        if row.cluster_key not in evidence:
            continue
        item: dict[str, Any] = {
            "value": row.attr_value,
            "members": int(row.members),
            "accounts_overall": int(row.holders),
            "uses": int(row.uses),
            "first_seen": iso_utc(row.first_seen),
            "last_seen": iso_utc(row.last_seen),
        }
        if row.attr_type in ("ip", "subnet"):
            item["ip_kind"] = row.ip_kind
        if row.attr_type == "template":
            item["example"] = str(template_text.get(row.attr_value, ""))
        evidence[row.cluster_key][EVIDENCE_KEYS[row.attr_type]]["items"].append(item)

    if not matches.empty:
        in_clusters = matches.merge(membership[["account_id", "cluster_key"]], on="account_id")
        for (cluster_key, _), group in in_clusters.groupby(
            ["cluster_key", "indicator_id"], sort=True
        ):
            if cluster_key not in evidence:
                continue
            first = group.iloc[0]
            evidence[cluster_key].setdefault("indicators", []).append(
                {
                    "indicator_type": first["indicator_type"],
                    "value": first["indicator_value"],
                    "organization": first["organization"],
                    "confidence": float(first["confidence"]),
                    "source": None if pd.isna(first["source"]) else first["source"],
                    "matched_accounts": sorted(group["account_id"].unique().tolist()),
                    "matched_values": sorted(group["matched_value"].unique().tolist())[:top],
                }
            )
    for item in evidence.values():
        item.setdefault("indicators", [])
    return evidence
