"""Evaluation against ground-truth labels: how good was a run?

Labels (``account_id, campaign_id, organization`` and, where the generator
wrote it, ``group``) are never read by detection; this module compares them
with a run's ``clusters.csv``. Labels that do not fit the run (no ``campaign_id``
column, no account in common with the run) stop with :class:`LabelsError`
before anything is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from linkage.errors import LinkageError

CAUGHT_SHARE = 0.9
"""A campaign counts as caught when at least this share of its accounts is flagged."""
LABEL_COLUMNS = ("account_id", "campaign_id")
"""Columns a labels file must have (``campaign_id`` empty for legitimate accounts)."""


class LabelsError(LinkageError):
    """A labels file cannot be read, lacks a column, or does not fit the run."""


def read_labels(path: Path) -> pd.DataFrame:
    """Read a labels file (.csv, .csv.gz or .parquet) as text and check its columns."""
    if not path.is_file():
        raise LabelsError(f"labels file {path} not found")
    try:
        if path.suffix == ".parquet":
            labels = pd.read_parquet(path).astype("object")
            labels = labels.where(labels.notna(), "").astype("str")
        else:
            labels = pd.read_csv(path, dtype="str", keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise LabelsError(f"labels file {path} is not readable CSV: {error}") from None
    except (pa.ArrowInvalid, OSError, ValueError) as error:
        raise LabelsError(f"labels file {path} is not readable: {error}") from None
    missing = [c for c in LABEL_COLUMNS if c not in labels.columns]
    if missing:
        found = ", ".join(map(str, labels.columns)) or "none"
        raise LabelsError(
            f"labels file {path} has no column {', '.join(missing)} (columns found: {found}); "
            "labels need account_id and campaign_id (empty for legitimate accounts), "
            "organization optional"
        )
    return labels


def check_labels_fit(labels: pd.DataFrame, run_accounts: pd.Series, where: str) -> int:
    """How many labelled accounts the run does not know; raise when it knows none of them."""
    labelled = set(labels["account_id"].astype("str"))
    known = labelled & set(run_accounts.astype("str"))
    if labelled and not known:
        raise LabelsError(
            f"none of the {len(labelled):,} labelled accounts is in the run {where} "
            f"({len(run_accounts):,} accounts): are these the labels of the dataset that run "
            "read? Nothing was written"
        )
    return len(labelled) - len(known)


def _prepare_labels(labels: pd.DataFrame) -> pd.DataFrame:
    labels = labels.copy()
    labels["campaign_id"] = labels["campaign_id"].fillna("").astype("str").str.strip()
    if "organization" not in labels.columns:
        labels["organization"] = ""
    labels["organization"] = labels["organization"].fillna("").astype("str")
    return labels


def _join_flagged(labels: pd.DataFrame, clusters: pd.DataFrame) -> pd.DataFrame:
    """Labels with ``flagged``, ``predicted_org`` and ``is_campaign`` per account."""
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
    return joined


def _per_campaign(joined: pd.DataFrame) -> list[dict[str, Any]]:
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
    return campaigns


def _false_positives_by_group(joined: pd.DataFrame) -> dict[str, dict[str, int]]:
    legit = joined[~joined["is_campaign"]]
    if "group" not in joined.columns:
        return {"legitimate": {"accounts": len(legit), "flagged": int(legit["flagged"].sum())}}
    return {
        str(name): {"accounts": len(group), "flagged": int(group["flagged"].sum())}
        for name, group in legit.groupby("group", sort=True)
    }


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
    labels = _prepare_labels(labels)
    joined = _join_flagged(labels, clusters)
    true_positive = int((joined["flagged"] & joined["is_campaign"]).sum())
    flagged_total = int(joined["flagged"].sum())
    campaign_total = int(joined["is_campaign"].sum())
    precision = true_positive / flagged_total if flagged_total else 1.0
    recall = true_positive / campaign_total if campaign_total else 1.0
    campaigns = _per_campaign(joined)
    attributed = sum(c["attribution_correct"] for c in campaigns)
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
        "campaigns_attributed_correctly": attributed,
        "attribution_accuracy": round(attributed / len(campaigns), 4) if campaigns else None,
        "campaigns": campaigns,
        "false_positives_by_group": _false_positives_by_group(joined),
    }
