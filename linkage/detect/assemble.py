"""Assembly stage: the scored clusters as the contract's output tables and objects.

``clusters.csv`` rows, ``campaigns.json`` objects and ``takedown.csv`` rows (with a
reason per account that says what it shares with the rest of its cluster).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from linkage.detect.coordination import COORDINATION_COLUMNS
from linkage.detect.evidence import account_shared_counts
from linkage.detect.normalise import NormalisedInput
from linkage.detect.score import SCORE_COMPONENTS
from linkage.formats import iso_utc, rounded
from linkage.kinds import ATTRIBUTE_KINDS, CONTENT_FAMILIES
from linkage.run_model import CLUSTER_COLUMNS, TAKEDOWN_COLUMNS

# every coordination signal but the key and the combined value (reported as a score component)
TIMING_SIGNALS = [c for c in COORDINATION_COLUMNS if c not in ("cluster_key", "coordination")]


def clusters_table(membership: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    table = membership[["account_id", "cluster_key"]].merge(
        scores[
            [
                "cluster_key",
                "cluster_id",
                "hydra_score",
                "flagged",
                "organization",
                "attribution_confidence",
            ]
        ]
    )
    table = table.sort_values(
        ["hydra_score", "cluster_id", "account_id"],
        ascending=[False, True, True],
        ignore_index=True,
    )
    return table[CLUSTER_COLUMNS]


def campaign_objects(
    scores: pd.DataFrame,
    membership: pd.DataFrame,
    data: NormalisedInput,
    evidence: dict[int, dict[str, Any]],
) -> list[dict[str, Any]]:
    members_of = membership.groupby("cluster_key")["account_id"].agg(lambda s: sorted(s.tolist()))
    member_accounts = membership.merge(data.accounts, on="account_id", how="left")
    pathways = member_accounts.groupby("cluster_key")["signup_pathway"].value_counts()
    declared = (
        member_accounts.dropna(subset=["org_id"]).groupby("cluster_key")["org_id"].value_counts()
    )
    objects = []
    ordered = scores.sort_values(["hydra_score", "cluster_id"], ascending=[False, True])
    for row in ordered.to_dict("records"):
        key = row["cluster_key"]
        alternatives = row.get("alternatives")
        objects.append(
            {
                "cluster_id": row["cluster_id"],
                "account_count": int(row["account_count"]),
                "exchange_count": int(row["exchange_count"]),
                "first_activity": iso_utc(row["first_activity"]),
                "last_activity": iso_utc(row["last_activity"]),
                "still_active": bool(row["still_active"]),
                "hydra_score": float(row["hydra_score"]),
                "flagged": bool(row["flagged"]),
                "organization": row["organization"]
                if isinstance(row["organization"], str)
                else None,
                "attribution_confidence": float(row["attribution_confidence"]),
                "attribution_kinds": int(row["attribution_kinds"]),
                "alternatives": alternatives if isinstance(alternatives, list) else [],
                "score_components": {name: rounded(row[name]) for name in SCORE_COMPONENTS},
                "timing": {name: rounded(row.get(name)) for name in TIMING_SIGNALS},
                "content_profile": {
                    family: rounded(row[f"share_{family}"]) for family in CONTENT_FAMILIES
                },
                "requests_per_account_day": rounded(row["requests_per_account_day"]),
                "signup_pathways": {
                    str(k): int(v) for k, v in pathways.get(key, pd.Series(dtype=int)).items()
                },
                "declared_orgs": {
                    str(k): int(v) for k, v in declared.get(key, pd.Series(dtype=int)).items()
                },
                "accounts": members_of[key],
                "evidence": evidence[key],
            }
        )
    return objects


def takedown_table(
    clusters: pd.DataFrame,
    scores: pd.DataFrame,
    membership: pd.DataFrame,
    incidence: pd.DataFrame,
    shared: pd.DataFrame,
    confidence: pd.Series,
) -> pd.DataFrame:
    """The flagged accounts with why, surest members of each cluster first."""
    flagged = clusters[clusters["flagged"]].copy()
    if flagged.empty:
        return pd.DataFrame(columns=TAKEDOWN_COLUMNS)
    counts = (
        account_shared_counts(membership, incidence, shared)
        .reindex(flagged["account_id"])
        .fillna(0)
    )
    shares = pd.Series("", index=counts.index, dtype="str")
    for attr_type, kind in ATTRIBUTE_KINDS.items():
        n = counts[attr_type].astype(np.int64)
        piece = n.astype("str") + f" {kind.noun}(s)"
        shares = shares.where(n == 0, shares.where(shares == "", shares + ", ") + piece)
    by_cluster = scores.set_index("cluster_id")
    cluster_text = (
        "cluster "
        + flagged["cluster_id"]
        + " ("
        + flagged["cluster_id"].map(by_cluster["account_count"]).astype("str")
        + " accounts; coordination "
        + flagged["cluster_id"].map(by_cluster["coordination"]).round(2).astype("str")
        + ", distillation content "
        + (flagged["cluster_id"].map(by_cluster["content"]) * 100)
        .round(0)
        .astype("int64")
        .astype("str")
        + "%)"
    )
    attributed = flagged["organization"].notna()
    organisation_text = pd.Series("; no organisation attributed", index=flagged.index, dtype="str")
    organisation_text[attributed] = (
        "; attributed to "
        + flagged.loc[attributed, "organization"].astype("str")
        + " ("
        + flagged.loc[attributed, "attribution_confidence"].round(2).astype("str")
        + ")"
    )
    share_text = shares.reindex(flagged["account_id"]).to_numpy()
    flagged["reason"] = (
        "hydra_score "
        + flagged["hydra_score"].round(2).astype("str")
        + " in "
        + cluster_text
        + "; shares "
        + pd.Series(share_text, index=flagged.index).replace("", "no attribute directly")
        + " with other members"
        + organisation_text
    )
    flagged["member_confidence"] = flagged["account_id"].map(confidence).fillna(0.0).round(4)
    flagged = flagged.sort_values(
        ["hydra_score", "cluster_id", "member_confidence", "account_id"],
        ascending=[False, True, False, True],
    )
    return flagged[TAKEDOWN_COLUMNS].reset_index(drop=True)
