"""Evaluation against ground-truth labels: how good was a run?

Labels (``account_id, campaign_id, organization`` and, where the generator
wrote it, ``group``) are never read by detection; this module compares them
with a run's ``clusters.csv``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

CAUGHT_SHARE = 0.9
"""A campaign counts as caught when at least this share of its accounts is flagged."""


def evaluate_run(labels: pd.DataFrame, clusters: pd.DataFrame) -> dict[str, Any]:
    """Precision, recall, per-campaign recall and attribution, false positives by group.

    Examples
    --------
    >>> labels = pd.DataFrame({"account_id": ["a", "b", "c", "d"],
    ...     "campaign_id": ["k", "k", "", ""], "organization": ["Kestrel", "Kestrel", "", ""],
    ...     "group": ["campaign", "campaign", "family", "family"]})
    >>> clusters = pd.DataFrame({"account_id": ["a", "b", "c"], "flagged": [True, True, True],
    ...     "organization": ["Kestrel", "Kestrel", None]})
    >>> result = evaluate_run(labels, clusters)
    >>> result["account_precision"], result["account_recall"], result["campaigns_caught"]
    (0.6667, 1.0, 1)
    >>> result["false_positives_by_group"]["family"]
    {'accounts': 2, 'flagged': 1}
    """
    labels = labels.copy()
    labels["campaign_id"] = labels["campaign_id"].fillna("").astype("str").str.strip()
    if "organization" not in labels.columns:
        labels["organization"] = ""
    labels["organization"] = labels["organization"].fillna("").astype("str")
    flagged_column = clusters["flagged"]
    if flagged_column.dtype != bool:
        flagged_column = flagged_column.astype("str").str.lower() == "true"
    predicted = clusters.assign(flagged=flagged_column)
    predicted = predicted[predicted["flagged"]].drop_duplicates("account_id")
    joined = labels.merge(
        predicted[["account_id", "organization"]].rename(columns={"organization": "predicted_org"}),
        on="account_id",
        how="left",
        indicator=True,
    )
    joined["flagged"] = joined["_merge"] == "both"
    joined["is_campaign"] = joined["campaign_id"] != ""

    true_positive = int((joined["flagged"] & joined["is_campaign"]).sum())
    flagged_total = int(joined["flagged"].sum())
    campaign_total = int(joined["is_campaign"].sum())
    precision = true_positive / flagged_total if flagged_total else 1.0
    recall = true_positive / campaign_total if campaign_total else 1.0

    campaigns: list[dict[str, Any]] = []
    for campaign_id, group in joined[joined["is_campaign"]].groupby("campaign_id", sort=True):
        truth_org = group["organization"].mode().iloc[0] if len(group) else ""
        predicted_orgs = group.loc[group["flagged"], "predicted_org"].dropna()
        attributed = predicted_orgs.mode().iloc[0] if len(predicted_orgs) else None
        share = float(group["flagged"].mean())
        campaigns.append(
            {
                "campaign_id": campaign_id,
                "accounts": len(group),
                "flagged": int(group["flagged"].sum()),
                "recall": round(share, 4),
                "caught": share >= CAUGHT_SHARE,
                "true_organization": truth_org,
                "attributed_organization": attributed,
                "attribution_correct": bool(attributed == truth_org and truth_org != ""),
            }
        )

    group_column = "group" if "group" in joined.columns else None
    legit = joined[~joined["is_campaign"]]
    by_group: dict[str, dict[str, int]] = {}
    if group_column:
        for name, group in legit.groupby(group_column, sort=True):
            by_group[str(name)] = {"accounts": len(group), "flagged": int(group["flagged"].sum())}
    else:
        by_group["legitimate"] = {"accounts": len(legit), "flagged": int(legit["flagged"].sum())}

    return {
        "accounts_labelled": len(labels),
        "campaign_accounts": campaign_total,
        "flagged_accounts": flagged_total,
        "true_positives": true_positive,
        "false_positives": flagged_total - true_positive,
        "account_precision": round(precision, 4),
        "account_recall": round(recall, 4),
        "campaigns_total": len(campaigns),
        "campaigns_caught": sum(c["caught"] for c in campaigns),
        "campaigns_attributed_correctly": sum(c["attribution_correct"] for c in campaigns),
        "attribution_accuracy": round(
            sum(c["attribution_correct"] for c in campaigns) / len(campaigns), 4
        )
        if campaigns
        else None,
        "campaigns": campaigns,
        "false_positives_by_group": by_group,
    }
