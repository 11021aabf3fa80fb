"""`linkage evaluate`: a run against ground-truth labels."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from linkage.cli.common import fail, out
from linkage.errors import LinkageError


def evaluate(
    labels: Annotated[Path, typer.Option(help="labels.csv (or .parquet) with the ground truth.")],
    out_dir: Annotated[Path, typer.Option("--out", help="The run folder to evaluate.")],
) -> None:
    """Compare a run with ground-truth labels; print a table and write evaluation.json.

    Reports account precision and recall, each campaign's recall (caught when
    at least 90% of its accounts are flagged) and attribution, and the flagged
    accounts in each legitimate look-alike group (when labels have a group column).
    """
    from linkage.evaluate import evaluate_run

    try:
        truth = _read_labels(labels)
        clusters_path = out_dir / "clusters.csv"
        if not clusters_path.is_file():
            raise LinkageError(
                f"{clusters_path} not found: run `linkage run --out {out_dir}` first"
            )
        clusters = pd.read_csv(clusters_path, dtype={"account_id": "str"})
    except LinkageError as error:
        raise fail(error) from None
    result = evaluate_run(truth, clusters)
    (out_dir / "evaluation.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    _print_evaluation(result, out_dir)


def _read_labels(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise LinkageError(f"labels file {path} not found")
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype="str", keep_default_na=False)


def _print_evaluation(result: dict, out_dir: Path) -> None:
    total = result["campaigns_total"]
    out.print(
        f"account precision {result['account_precision']:.4f}  "
        f"recall {result['account_recall']:.4f}  "
        f"campaigns caught {result['campaigns_caught']}/{total}  "
        f"attributed correctly {result['campaigns_attributed_correctly']}/{total}"
    )
    campaigns = Table(title="campaigns", show_edge=False)
    for column in ("campaign", "accounts", "flagged", "recall", "caught", "true org", "attributed"):
        campaigns.add_column(column)
    for c in result["campaigns"]:
        campaigns.add_row(
            c["campaign_id"],
            str(c["accounts"]),
            str(c["flagged"]),
            f"{c['recall']:.3f}",
            "yes" if c["caught"] else "NO",
            c["true_organization"],
            c["attributed_organization"] or "-",
        )
    out.print(campaigns)
    groups = Table(title="legitimate accounts flagged, by group", show_edge=False)
    groups.add_column("group")
    groups.add_column("accounts")
    groups.add_column("flagged")
    for name, counts in result["false_positives_by_group"].items():
        groups.add_row(name, f"{counts['accounts']:,}", str(counts["flagged"]))
    out.print(groups)
    out.print(f"written to {out_dir / 'evaluation.json'}")
