"""Run folders (I/O edge): writing a :class:`~linkage.run_model.Run`, and the one reader.

A run folder holds, as the output half of the data contract says, ``clusters.csv``,
``campaigns.json``, ``takedown.csv``, ``run.json`` and ``rejects/<table>.csv``, the
documents rendered from the run (``report.html``, ``indicators.stix.json``), and
``graph/*.parquet``: the account graph (accounts, who-holds-what, links, indicators
and their matches, ...) that the takedown planner, ``linkage neo4j load`` and the
notebooks read, so they need not recompute it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from linkage.errors import LinkageError
from linkage.io.privacy import scrub_rejects
from linkage.run_model import CLUSTER_COLUMNS, GRAPH_TABLES, TAKEDOWN_COLUMNS, Run

GRAPH_DIR = "graph"
REJECTS_DIR = "rejects"


class RunFolderError(LinkageError):
    """A folder is not a (complete) run folder, or one of its files is unreadable."""


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    # The csv module quotes a field holding the line terminator ("\n") but not a lone "\r",
    # which every reader takes for a line break: a rejected raw value may hold one.
    text_columns = frame.select_dtypes(include=["object", "string"])
    carriage_return = any(
        text_columns[column].astype("str").str.contains("\r", regex=False).any()
        for column in text_columns.columns
    )
    frame.to_csv(
        path,
        index=False,
        encoding="utf-8",
        lineterminator="\n",
        quoting=csv.QUOTE_ALL if carriage_return else csv.QUOTE_MINIMAL,
    )


def write_json(payload: Any, path: Path) -> None:
    path.write_text(
        json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )


def check_output_folder(out_dir: Path, option: str = "--out") -> None:
    """Raise :class:`RunFolderError` unless a run folder can be written at ``out_dir``.

    Checked before any work is done, and nothing is created: ``out_dir`` is a folder or
    can be made in a folder we may write to.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise RunFolderError(
            f"{option} {out_dir} is a file, not a folder: name a folder for the run "
            "(it is created when missing)"
        )
    existing = out_dir.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise RunFolderError(
            f"{option} {out_dir} cannot be created: {existing} is a file; choose another path"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise RunFolderError(
            f"{option} {out_dir} cannot be written: no write permission on {existing}; "
            "choose another path"
        )
    for name in (REJECTS_DIR, GRAPH_DIR):
        if (out_dir / name).exists() and not (out_dir / name).is_dir():
            raise RunFolderError(
                f"{option} {out_dir} holds a file named {name!r} where the run writes a "
                "folder; move it or choose another path"
            )


def write_run(
    run: Run, out_dir: Path, documents: dict[str, tuple[str, str]] | None = None
) -> dict[str, Path]:
    """Write every file of a run folder; return their paths by name.

    ``documents`` maps names to (file name, text) rendered from the run, e.g.
    ``{"report": ("report.html", html)}``.
    ``run.json`` is written last, so a folder with one is complete. Rejected rows are
    scrubbed of card numbers and long text first (:func:`~linkage.io.privacy.scrub_rejects`).
    """
    check_output_folder(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}

    clusters = run.clusters.copy()
    clusters["flagged"] = clusters["flagged"].map({True: "true", False: "false"})
    paths["clusters"] = out_dir / "clusters.csv"
    write_csv(clusters, paths["clusters"])
    paths["takedown"] = out_dir / "takedown.csv"
    write_csv(run.takedown, paths["takedown"])
    paths["campaigns"] = out_dir / "campaigns.json"
    write_json(run.campaigns, paths["campaigns"])

    rejects_dir = out_dir / REJECTS_DIR
    rejects_dir.mkdir(exist_ok=True)
    for stale in rejects_dir.glob("*.csv"):
        stale.unlink()
    reject_files = {}
    for table, rejected in run.rejects.items():
        if len(rejected):
            path = rejects_dir / f"{table}.csv"
            write_csv(scrub_rejects(rejected), path)
            reject_files[table] = str(path.relative_to(out_dir))
    paths["rejects"] = rejects_dir

    graph_dir = out_dir / GRAPH_DIR
    graph_dir.mkdir(exist_ok=True)
    for name in GRAPH_TABLES:
        getattr(run, name).to_parquet(graph_dir / f"{name}.parquet", index=False)
    paths["graph"] = graph_dir

    for name, (file_name, text) in (documents or {}).items():
        paths[name] = out_dir / file_name
        paths[name].write_text(text, encoding="utf-8")

    paths["run"] = out_dir / "run.json"
    write_json({**run.info, "reject_files": reject_files}, paths["run"])
    return paths


_IDS = {"account_id": "str", "cluster_id": "str", "organization": "str"}


def read_run(run_dir: Path) -> Run:
    """Read a run folder written by ``linkage run`` back into a :class:`Run`.

    ``run_id`` is a digest of run.json and clusters.csv: the same run read twice
    has the same id. Rejects are not read back.

    Raises:
        RunFolderError: not a run folder, a file missing or unreadable.
    """
    run_dir = Path(run_dir)
    needed = ["clusters.csv", "takedown.csv", "campaigns.json", "run.json"]
    needed += [f"{GRAPH_DIR}/{name}.parquet" for name in GRAPH_TABLES]
    missing = [name for name in needed if not (run_dir / name).is_file()]
    if missing:
        what = "not a run folder" if len(missing) == len(needed) else "not a complete run folder"
        raise RunFolderError(
            f"{run_dir} is {what} (missing {', '.join(missing[:4])}"
            f"{', ...' if len(missing) > 4 else ''}): run `linkage run --out {run_dir}` first"
        )
    digest = hashlib.sha256()
    for name in ("run.json", "clusters.csv"):
        digest.update(name.encode() + b"\0" + (run_dir / name).read_bytes())
    clusters = _read_csv(run_dir / "clusters.csv", CLUSTER_COLUMNS)
    clusters["flagged"] = clusters["flagged"].astype("str").str.lower().eq("true")
    graph = {name: _read_parquet(run_dir / GRAPH_DIR / f"{name}.parquet") for name in GRAPH_TABLES}
    return Run(
        clusters=clusters,
        campaigns=_read_json(run_dir / "campaigns.json"),
        takedown=_read_csv(run_dir / "takedown.csv", TAKEDOWN_COLUMNS),
        info=_read_json(run_dir / "run.json"),
        run_id="run-" + digest.hexdigest()[:16],
        path=run_dir,
        **graph,
    )


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=_IDS, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise RunFolderError(f"{path} is not readable CSV: {exc}") from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise RunFolderError(f"{path} lacks column(s) {', '.join(missing)}")
    return frame


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RunFolderError(f"{path} is not valid JSON: {exc}") from exc


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise RunFolderError(f"{path} is not readable Parquet: {exc}") from exc


def read_previous_clusters(run_dir: Path) -> pd.DataFrame:
    """A previous run's ``clusters.csv`` (for stable ids)."""
    path = run_dir / "clusters.csv"
    if not path.is_file():
        raise RunFolderError(f"--previous {run_dir}: no clusters.csv there (is it a run folder?)")
    return pd.read_csv(path, dtype={"account_id": "str", "cluster_id": "str"})
