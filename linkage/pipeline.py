"""The main job: input folder in, run folder out, one stage after another.

Stages are pure functions over tables (see their modules); this module
strings them together, times them, and leaves reading and writing to
:mod:`linkage.input_folder` and :mod:`linkage.outputs`.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from linkage import __version__
from linkage.attribution import attribute_clusters, match_indicators
from linkage.cluster import cluster_accounts, internal_links
from linkage.coordination import COORDINATION_COLUMNS, coordination_signals
from linkage.evidence import account_shared_counts, cluster_evidence, shared_attributes
from linkage.input_folder import RawTable, find_table_files, read_table
from linkage.link import link
from linkage.normalise import DISTILLATION_FAMILIES, NormalisedInput, normalise
from linkage.score import score_clusters
from linkage.settings import Settings
from linkage.stable_ids import assign_cluster_ids
from linkage.validate import ValidatedInput, check_structure, validate

StageCallback = Callable[[str], None]

# every coordination signal but the key and the combined value (reported as a score component)
TIMING_SIGNALS = [c for c in COORDINATION_COLUMNS if c not in ("cluster_key", "coordination")]

CLUSTER_COLUMNS = [
    "account_id",
    "cluster_id",
    "hydra_score",
    "flagged",
    "organization",
    "attribution_confidence",
]
TAKEDOWN_COLUMNS = ["account_id", "cluster_id", "hydra_score", "organization", "reason"]


@dataclass
class RunResult:
    """Everything a run produces, before it is written anywhere."""

    clusters: pd.DataFrame
    campaigns: list[dict[str, Any]]
    takedown: pd.DataFrame
    validated: ValidatedInput
    normalised: NormalisedInput
    links: pd.DataFrame
    account_attributes: pd.DataFrame
    indicator_matches: pd.DataFrame
    run_info: dict[str, Any] = field(default_factory=dict)


class _Timer:
    def __init__(self, on_stage: StageCallback | None) -> None:
        self.timings: dict[str, float] = {}
        self.on_stage = on_stage

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.on_stage:
            self.on_stage(name)
        started = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - started, 3)


def read_input(folder: Path) -> dict[str, RawTable]:
    """Read every contract table of an input folder (labels are never read here)."""
    files, problems = find_table_files(folder)
    if problems:
        from linkage.errors import InputContractError

        raise InputContractError(problems)
    return {name: read_table(name, path) for name, path in files.items() if name != "labels"}


def run_pipeline(
    raw: dict[str, RawTable],
    settings: Settings,
    previous_clusters: pd.DataFrame | None = None,
    on_stage: StageCallback | None = None,
    timer: _Timer | None = None,
) -> RunResult:
    """Run every stage on raw tables already read from an input folder."""
    timer = timer or _Timer(on_stage)
    check_structure(raw)
    with timer.stage("validate"):
        validated = validate(raw, settings)
    with timer.stage("normalise"):
        data = normalise(validated.tables, settings)
    with timer.stage("link"):
        linked = link(data, settings)
    with timer.stage("cluster"):
        membership = cluster_accounts(linked.links, settings)
        internal = internal_links(linked.links, membership)
    with timer.stage("coordination"):
        coordination = coordination_signals(data.requests, membership, settings)
    with timer.stage("score"):
        scores = score_clusters(
            membership, data.accounts, data.requests, internal, coordination, settings
        )
    with timer.stage("attribution"):
        matches = match_indicators(
            data.indicators, data.accounts, data.payments, linked.account_attributes, data.requests
        )
        attribution = attribute_clusters(matches, membership, settings)
    with timer.stage("assemble"):
        cluster_ids = assign_cluster_ids(membership, data.accounts, previous_clusters, settings)
        scores["cluster_id"] = scores["cluster_key"].map(cluster_ids)
        scores = scores.merge(attribution, on="cluster_key", how="left")
        scores["attribution_confidence"] = scores["attribution_confidence"].fillna(0.0)
        shared = shared_attributes(membership, linked.account_attributes)
        evidence = cluster_evidence(
            scores["cluster_key"].tolist(), shared, data.templates, matches, membership
        )
        clusters = _clusters_table(membership, scores)
        campaigns = _campaign_objects(scores, membership, data, evidence)
        takedown = _takedown_table(clusters, scores, membership, linked.account_attributes, shared)
    return RunResult(
        clusters=clusters,
        campaigns=campaigns,
        takedown=takedown,
        validated=validated,
        normalised=data,
        links=linked.links,
        account_attributes=linked.account_attributes,
        indicator_matches=matches,
        run_info={"stage_seconds": timer.timings},
    )


def run(
    input_dir: Path,
    settings: Settings,
    previous_clusters: pd.DataFrame | None = None,
    on_stage: StageCallback | None = None,
) -> RunResult:
    """Read ``input_dir`` and run the whole pipeline; fill ``run_info`` for run.json."""
    started = datetime.now(UTC)
    timer = _Timer(on_stage)
    with timer.stage("read"):
        raw = read_input(input_dir)
    result = run_pipeline(raw, settings, previous_clusters, on_stage, timer)
    flagged = result.clusters[result.clusters["flagged"]]
    result.run_info = {
        "engine": "linkage",
        "engine_version": __version__,
        "started_at": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "input": str(input_dir),
        "previous_run_used": previous_clusters is not None,
        "rows": result.validated.counts,
        "notes": result.validated.notes,
        "stage_seconds": timer.timings,
        "total_seconds": round(sum(timer.timings.values()), 3),
        "summary": {
            "accounts": len(result.normalised.accounts),
            "requests": len(result.normalised.requests),
            "links": len(result.links),
            "clusters": len(result.campaigns),
            "clustered_accounts": len(result.clusters),
            "flagged_clusters": sum(1 for c in result.campaigns if c["flagged"]),
            "flagged_accounts": len(flagged),
        },
        "versions": _versions(),
        "settings": settings.to_dict(),
    }
    return result


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "linkage": __version__}
    for package in ("pandas", "numpy", "pyarrow", "networkx", "python-louvain"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def _clusters_table(membership: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
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


def _iso(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def _number(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return round(float(value), 4)


def _campaign_objects(
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
                "first_activity": _iso(row["first_activity"]),
                "last_activity": _iso(row["last_activity"]),
                "still_active": bool(row["still_active"]),
                "hydra_score": float(row["hydra_score"]),
                "flagged": bool(row["flagged"]),
                "organization": row["organization"]
                if isinstance(row["organization"], str)
                else None,
                "attribution_confidence": float(row["attribution_confidence"]),
                "alternatives": alternatives if isinstance(alternatives, list) else [],
                "score_components": {
                    name: _number(row[name])
                    for name in (
                        "link_strength",
                        "concealment",
                        "coordination",
                        "content",
                        "volume",
                    )
                },
                "timing": {name: _number(row.get(name)) for name in TIMING_SIGNALS},
                "content_profile": {
                    family: _number(row[f"share_{family}"]) for family in DISTILLATION_FAMILIES
                },
                "requests_per_account_day": _number(row["requests_per_account_day"]),
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


_REASON_LABELS = {
    "payment": "payment method",
    "email": "mailbox",
    "billing_name": "billing name",
    "api_key": "API key",
    "ip": "IP",
    "subnet": "network",
    "template": "prompt template",
    "user_agent": "client string",
    "email_domain": "email domain",
}


def _takedown_table(
    clusters: pd.DataFrame,
    scores: pd.DataFrame,
    membership: pd.DataFrame,
    incidence: pd.DataFrame,
    shared: pd.DataFrame,
) -> pd.DataFrame:
    flagged = clusters[clusters["flagged"]].copy()
    if flagged.empty:
        return pd.DataFrame(columns=TAKEDOWN_COLUMNS)
    counts = (
        account_shared_counts(membership, incidence, shared)
        .reindex(flagged["account_id"])
        .fillna(0)
    )
    shares = pd.Series("", index=counts.index, dtype="str")
    for attr_type, label in _REASON_LABELS.items():
        n = counts[attr_type].astype(np.int64)
        piece = n.astype("str") + f" {label}(s)"
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
    return flagged[TAKEDOWN_COLUMNS].reset_index(drop=True)
