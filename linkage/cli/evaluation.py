"""`linkage evaluate`: a run against ground-truth labels."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from linkage.cli.common import out, warn
from linkage.errors import LinkageError


def evaluate(
    labels: Annotated[
        Path,
        typer.Option(
            metavar="FILE",
            help="Ground truth: labels.csv (or .parquet) with account_id, campaign_id.",
        ),
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", metavar="RUN_DIR", help="The run folder to evaluate.")
    ],
) -> None:
    """Compare a run with ground-truth labels; print a table and write evaluation.json.

    Reports account precision and recall, each campaign's recall (caught when
    at least 90% of its accounts are flagged) and attribution, and the flagged
    accounts in each legitimate look-alike group (when labels have a group column).
    Labels that share no account with the run stop with an error (nothing is written).

    Example: linkage evaluate --labels data/generated/demo/labels.csv --out out/demo
    """
    from linkage.evaluate import check_labels_fit, evaluate_run, read_labels

    truth = read_labels(labels)
    clusters, accounts = _read_run_accounts(out_dir)
    unknown = check_labels_fit(truth, accounts, str(out_dir))
    if unknown:
        warn(
            f"{unknown:,} of {truth['account_id'].nunique():,} labelled accounts are not in "
            f"the run {out_dir} (rejected or absent from its input); they count as not flagged"
        )
    result = evaluate_run(truth, clusters)
    path = out_dir / "evaluation.json"
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)
    _print_evaluation(result, out_dir)


def _read_run_accounts(out_dir: Path) -> tuple[pd.DataFrame, pd.Series]:
    """The run's clusters.csv, and every account the run read (graph/accounts.parquet)."""
    clusters_path = out_dir / "clusters.csv"
    if not clusters_path.is_file():
        raise LinkageError(f"{clusters_path} not found: run `linkage run --out {out_dir}` first")
    try:
        clusters = pd.read_csv(clusters_path, dtype={"account_id": "str"})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise LinkageError(f"{clusters_path} is not readable CSV: {error}") from None
    accounts_path = out_dir / "graph" / "accounts.parquet"
    if not accounts_path.is_file():
        return clusters, clusters["account_id"]
    accounts = pd.read_parquet(accounts_path, columns=["account_id"])["account_id"]
    return clusters, accounts


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
