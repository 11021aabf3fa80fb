"""`linkage run` (the main job) and `linkage settings`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from linkage.cli.common import console, fail, out
from linkage.errors import LinkageError


def run(
    input_dir: Annotated[
        Path,
        typer.Option(
            "--input", help="Input folder: accounts, requests, ... (.csv, .csv.gz, .parquet)."
        ),
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Run folder to write.")],
    config: Annotated[
        Path | None,
        typer.Option(
            help="Settings file (TOML or JSON, or an earlier run.json) to override defaults."
        ),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(help="An earlier run folder: clusters that grew or shrank keep their ids."),
    ] = None,
    neo4j_uri: Annotated[
        str | None,
        typer.Option(
            "--neo4j", help="Also load the graph and results into Neo4j at this bolt URI."
        ),
    ] = None,
) -> None:
    """Run the main job: validate, link, cluster, score, attribute; write the run folder.

    Writes clusters.csv, campaigns.json, takedown.csv, report.html,
    indicators.stix.json (keyed hashes under $LINKAGE_SHARING_KEY), run.json and
    rejects/ (see README). Rows that break the data contract are written to
    rejects/<table>.csv with the row, column and reason, and counted in run.json.
    """
    from linkage.cli.graph import load_into_neo4j
    from linkage.io.run_folder import read_previous_clusters
    from linkage.jobs import run_job
    from linkage.settings import load_settings

    try:
        settings = load_settings(config)
        previous_clusters = read_previous_clusters(previous) if previous else None
        with console.status("starting") as status:

            def show(stage: str) -> None:
                status.update(f"[bold]{stage}[/] ...")

            result = run_job(input_dir, out_dir, settings, previous_clusters, on_stage=show)
        if neo4j_uri:
            load_into_neo4j(out_dir, neo4j_uri)
    except LinkageError as error:
        raise fail(error) from None
    _print_run_summary(result.info, result.campaigns, out_dir)


def _print_run_summary(info: dict, campaigns: list[dict], out_dir: Path) -> None:
    rows = Table(title="rows per table", show_edge=False)
    for column in ("table", "read", "accepted", "rejected"):
        rows.add_column(column, justify="right" if column != "table" else "left")
    for table, counts in info["rows"].items():
        rows.add_row(
            table, f"{counts['read']:,}", f"{counts['accepted']:,}", f"{counts['rejected']:,}"
        )
    out.print(rows)
    for note in info.get("notes", []):
        out.print(f"[yellow]note:[/] {note}", highlight=False)
    flagged = [c for c in campaigns if c["flagged"]]
    table = Table(title=f"flagged clusters ({len(flagged)} of {len(campaigns)})", show_edge=False)
    for column in (
        "cluster_id",
        "accounts",
        "exchanges",
        "hydra_score",
        "organization",
        "confidence",
    ):
        table.add_column(column)
    for campaign in flagged[:20]:
        table.add_row(
            campaign["cluster_id"],
            f"{campaign['account_count']:,}",
            f"{campaign['exchange_count']:,}",
            f"{campaign['hydra_score']:.2f}",
            campaign["organization"] or "-",
            f"{campaign['attribution_confidence']:.2f}",
        )
    out.print(table)
    summary = info["summary"]
    out.print(
        f"{summary['flagged_accounts']:,} accounts flagged "
        f"in {summary['flagged_clusters']} clusters; "
        f"{info['total_seconds']:.1f} s. Outputs in {out_dir}/ (takedown.csv, campaigns.json, ...)"
    )


def show_settings() -> None:
    """Print every setting with its default and what it does, as TOML for --config.

    Save it (`linkage settings > settings.toml`), edit, and pass it to
    `linkage run --config settings.toml`; names and ranges are checked on load.
    """
    from linkage.settings import Settings

    typer.echo(Settings().to_toml())


# --- Neo4j -------------------------------------------------------------------------------
