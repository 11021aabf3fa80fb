"""Writing a run folder (I/O edge), as the output half of the data contract says.

``clusters.csv``, ``campaigns.json``, ``takedown.csv``, ``run.json`` and
``rejects/<table>.csv``; plus ``graph/*.parquet``, the account graph
(accounts, who-holds-what, links, indicators and their matches) that ``linkage neo4j
load`` and the notebooks read, so they need not recompute it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from linkage.pipeline import RunResult
from linkage.report import render_report
from linkage.stix import DEMO_WARNING, build_bundle, bundle_json, sharing_key_from_env


def _bool_text(series: pd.Series) -> pd.Series:
    return series.map({True: "true", False: "false"})


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def write_run(result: RunResult, out_dir: Path) -> dict[str, Path]:
    """Write every output file of a run; return their paths by name."""
    sharing_key, demo_key = sharing_key_from_env()  # a bad key stops before anything is written
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}

    clusters = result.clusters.copy()
    clusters["flagged"] = _bool_text(clusters["flagged"])
    paths["clusters"] = out_dir / "clusters.csv"
    write_csv(clusters, paths["clusters"])

    paths["takedown"] = out_dir / "takedown.csv"
    write_csv(result.takedown, paths["takedown"])

    paths["campaigns"] = out_dir / "campaigns.json"
    _write_json(result.campaigns, paths["campaigns"])

    rejects_dir = out_dir / "rejects"
    rejects_dir.mkdir(exist_ok=True)
    for stale in rejects_dir.glob("*.csv"):
        stale.unlink()
    reject_files = {}
    for table, rejected in result.validated.rejects.items():
        if len(rejected):
            path = rejects_dir / f"{table}.csv"
            write_csv(rejected, path)
            reject_files[table] = str(path.relative_to(out_dir))
    paths["rejects"] = rejects_dir

    graph_dir = out_dir / "graph"
    graph_dir.mkdir(exist_ok=True)
    _graph_tables(result, graph_dir)
    paths["graph"] = graph_dir

    paths["report"] = out_dir / "report.html"
    paths["report"].write_text(render_report(result), encoding="utf-8")
    paths["stix"] = out_dir / "indicators.stix.json"
    paths["stix"].write_text(bundle_json(build_bundle(result, sharing_key)), encoding="utf-8")
    notes = [
        *result.run_info.get("notes", []),
        *([f"indicators.stix.json: {DEMO_WARNING}"] if demo_key else []),
    ]

    paths["run"] = out_dir / "run.json"
    _write_json({**result.run_info, "notes": notes, "reject_files": reject_files}, paths["run"])
    return paths


def _graph_tables(result: RunResult, graph_dir: Path) -> None:
    data = result.normalised
    accounts = data.accounts.drop(columns=["_row"], errors="ignore")
    accounts.to_parquet(graph_dir / "accounts.parquet", index=False)
    result.account_attributes.to_parquet(graph_dir / "account_attributes.parquet", index=False)
    result.links.to_parquet(graph_dir / "links.parquet", index=False)
    result.indicator_matches.to_parquet(graph_dir / "indicator_matches.parquet", index=False)
    indicator_columns = ["indicator_type", "value", "organization", "confidence", "source"]
    data.indicators.reindex(columns=indicator_columns).to_parquet(
        graph_dir / "indicators.parquet", index=False
    )
    data.templates.to_parquet(graph_dir / "templates.parquet", index=False)
    data.payments.drop(columns=["_row"], errors="ignore").to_parquet(
        graph_dir / "payments.parquet", index=False
    )
    data.ip_intel.drop(columns=["_row"], errors="ignore").to_parquet(
        graph_dir / "ip_intel.parquet", index=False
    )


def _write_json(payload: Any, path: Path) -> None:
    path.write_text(
        json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )


def read_previous_clusters(run_dir: Path) -> pd.DataFrame:
    """A previous run's ``clusters.csv`` (for stable ids)."""
    from linkage.errors import LinkageError

    path = run_dir / "clusters.csv"
    if not path.is_file():
        raise LinkageError(f"--previous {run_dir}: no clusters.csv there (is it a run folder?)")
    return pd.read_csv(path, dtype={"account_id": "str", "cluster_id": "str"})
