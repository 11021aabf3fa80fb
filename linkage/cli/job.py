"""`linkage run` (the main job) and `linkage settings`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from linkage.cli.common import console, out, warn

# Options of `linkage run` kept apart so its signature reads as its interface.
Neo4jUriOption = Annotated[
    str | None,
    typer.Option(
        "--neo4j",
        metavar="URI",
        help="Also load the graph and results into Neo4j at this bolt URI.",
    ),
]
RedactOption = Annotated[
    bool,
    typer.Option(
        "--redact",
        help="Write keyed pseudonyms instead of emails, names, payment fingerprints and "
        "API key ids (key: $LINKAGE_REDACTION_KEY).",
    ),
]
EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        metavar="duckdb|spark",
        help="Where the requests are processed: duckdb (in-process, the default) or spark.",
    ),
]
SparkMasterOption = Annotated[
    str | None,
    typer.Option(
        "--master",
        metavar="URL",
        help="Spark master (local[2], spark://HOST:7077, yarn, k8s://...) or Spark Connect "
        "URL (sc://HOST:15002); with --engine spark only.",
    ),
]


def run(
    input_dir: Annotated[
        Path,
        typer.Option(
            "--input",
            metavar="DIR",
            help="Input folder: accounts, requests, ... (.csv, .csv.gz, .parquet).",
        ),
    ],
    out_dir: Annotated[
        Path,
        typer.Option("--out", metavar="DIR", help="Run folder to write (created when missing)."),
    ],
    config: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Settings file (TOML or JSON, or an earlier run.json) to override defaults.",
        ),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="An earlier run folder: clusters that grew or shrank keep their ids.",
        ),
    ] = None,
    neo4j_uri: Neo4jUriOption = None,
    redact: RedactOption = False,
    engine: EngineOption = "duckdb",
    master: SparkMasterOption = None,
) -> None:
    """Run the main job: validate, link, cluster, score, attribute; write the run folder.

    Writes clusters.csv, campaigns.json, takedown.csv, report.html,
    indicators.stix.json (keyed hashes under $LINKAGE_SHARING_KEY), run.json and
    rejects/ (see README). Rows that break the data contract are written to
    rejects/<table>.csv with the row, column and reason, and counted in run.json.
    The output folder and the keys are checked before any work is done.

    Example: linkage run --input data/generated/demo --out out/demo
    On Spark: linkage run --input DIR --out OUT --engine spark --master local[2]
    """
    from linkage.cli.graph import load_into_neo4j
    from linkage.deliver.stix import SHARING_KEY_ENV, sharing_key_from_env
    from linkage.io.run_folder import read_previous_clusters
    from linkage.jobs import run_job
    from linkage.settings import load_settings

    if engine not in ("duckdb", "spark"):
        raise typer.BadParameter("expected duckdb or spark", param_hint="--engine")
    settings = load_settings(config)
    previous_clusters = read_previous_clusters(previous) if previous else None
    demo_key = sharing_key_from_env()[1]
    with console.status("starting") as status:

        def show(stage: str) -> None:
            status.update(f"[bold]{stage}[/] ...")

        result = run_job(
            input_dir,
            out_dir,
            settings,
            previous_clusters,
            on_stage=show,
            redact=redact,
            engine=engine,
            master=master,
        )
    if neo4j_uri:
        load_into_neo4j(out_dir, neo4j_uri)
    _print_run_summary(result.info, result.campaigns, out_dir)
    if demo_key:
        warn(_demo_key_warning(SHARING_KEY_ENV))


def _demo_key_warning(variable: str) -> str:
    return (
        f"{variable} is not set: indicators.stix.json is hashed under the public demo key "
        f'and must not be shared; export {variable}="$(openssl rand -hex 32)" (agreed with '
        "your partners) and run again"
    )


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
    _print_flagged(campaigns)
    summary = info["summary"]
    out.print(
        f"{summary['flagged_accounts']:,} accounts flagged "
        f"in {summary['flagged_clusters']} clusters; {info['total_seconds']:.1f} s. "
        f"Outputs in {out_dir}/ (takedown.csv, campaigns.json, indicators.stix.json, ...)",
        highlight=False,
    )
    out.print(f"Report: {out_dir / 'report.html'} (open it in any browser)", highlight=False)
    if summary["flagged_clusters"]:
        out.print(
            f"Next step: linkage takedown plan {out_dir}  (a manifest to review before acting)",
            highlight=False,
        )


def _print_flagged(campaigns: list[dict]) -> None:
    flagged = [c for c in campaigns if c["flagged"]]
    if not flagged:
        out.print(f"no cluster flagged ({len(campaigns):,} linked clusters in campaigns.json)")
        return
    table = Table(title=f"flagged clusters ({len(flagged)} of {len(campaigns)})", show_edge=False)
    for column in ("cluster_id", "accounts", "exchanges", "hydra_score", "organization"):
        table.add_column(column)
    table.add_column("confidence")
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
    if len(flagged) > 20:
        out.print(f"... and {len(flagged) - 20:,} more flagged clusters in campaigns.json")


def show_settings() -> None:
    """Print every setting with its default and what it does, as TOML for --config.

    Save it (`linkage settings > settings.toml`), edit, and pass it to
    `linkage run --config settings.toml`; names and ranges are checked on load.
    """
    from linkage.settings import Settings

    typer.echo(Settings().to_toml())
