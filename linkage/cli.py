"""The ``linkage`` command line: parse, call the library, print; errors become exit code 1.

Start with ``linkage --help``; every command has its own ``--help``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from linkage.errors import LinkageError

app = typer.Typer(
    help=(
        "Find distillation campaigns: link accounts that share payment methods, IPs, "
        "prompt templates and timing; cluster them into hydras; score, attribute, take down.\n\n"
        "Typical session:\n\n"
        "  linkage generate --out data/generated/demo   # logs with planted campaigns\n\n"
        "  linkage run --input data/generated/demo --out out/demo\n\n"
        "  linkage evaluate --labels data/generated/demo/labels.csv --out out/demo"
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
neo4j_app = typer.Typer(
    help="Run a local Neo4j server and explore the account graph in it.", no_args_is_help=True
)
app.add_typer(neo4j_app, name="neo4j")

console = Console(stderr=True, soft_wrap=True)  # error lines stay whole (paths, names)
out = Console()


def _fail(error: Exception) -> typer.Exit:
    console.print(f"[bold red]error:[/] {error}", highlight=False)
    return typer.Exit(code=1)


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the dataset into.")],
    scenario: Annotated[
        str, typer.Option(help="Scenario to generate: 'default' or 'legit_only'.")
    ] = "default",
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same dataset.")] = 0,
    scale: Annotated[
        float,
        typer.Option(help="Size multiplier: 1.0 is about 5,000 accounts and 100,000 requests."),
    ] = 1.0,
    file_format: Annotated[
        str, typer.Option("--format", help="'csv' (opens anywhere) or 'parquet' (fast).")
    ] = "csv",
) -> None:
    """Write synthetic API-provider logs with planted campaigns and labels.

    The default scenario plants a reasoning harvest, an agentic swarm and a
    coding firehose among legitimate look-alikes (a university behind NAT,
    company teams with a shared card, families, a sign-up cohort, a popular
    prompt template, one honest heavy user). labels.csv holds the truth.
    """
    from linkage.synth import generate as make_dataset
    from linkage.synth import write_dataset

    try:
        with console.status(f"generating scenario {scenario!r} at scale {scale} (seed {seed})"):
            dataset = make_dataset(scenario=scenario, seed=seed, scale=scale)
            paths = write_dataset(dataset, out_dir, fmt=file_format)
    except (LinkageError, ValueError) as error:
        raise _fail(error) from None
    tables = dataset.tables
    out.print(f"wrote {len(paths)} files to {out_dir}")
    for name in ("accounts", "requests", "payment_methods", "ip_intel", "indicators", "labels"):
        if name in tables:
            out.print(f"  {name:16} {len(tables[name]):>10,} rows")


@app.command()
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
    from linkage.outputs import read_previous_clusters, write_run
    from linkage.pipeline import run as run_job
    from linkage.settings import load_settings

    try:
        settings = load_settings(config)
        previous_clusters = read_previous_clusters(previous) if previous else None
        with console.status("starting") as status:

            def show(stage: str) -> None:
                status.update(f"[bold]{stage}[/] ...")

            result = run_job(input_dir, settings, previous_clusters, on_stage=show)
            status.update("writing outputs ...")
            write_run(result, out_dir)
        if neo4j_uri:
            _load_into_neo4j(out_dir, neo4j_uri)
    except LinkageError as error:
        raise _fail(error) from None
    _print_run_summary(result.run_info, result.campaigns, out_dir)


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


@app.command()
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
        raise _fail(error) from None
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


@app.command("settings")
def show_settings() -> None:
    """Print every setting with its default, as JSON you can edit and pass to --config."""
    from linkage.settings import Settings

    out.print_json(json.dumps(Settings().to_dict()))


# --- Neo4j -------------------------------------------------------------------------------


@neo4j_app.command("install")
def neo4j_install() -> None:
    """Fetch the Neo4j Community server from Maven Central into .neo4j/ (once)."""
    from linkage import neo4j_server

    try:
        home = neo4j_server.install()
    except LinkageError as error:
        raise _fail(error) from None
    out.print(f"Neo4j installed in {home}")


@neo4j_app.command("start")
def neo4j_start() -> None:
    """Start the local server (127.0.0.1 only); prints where to connect."""
    from linkage import neo4j_server

    try:
        neo4j_server.install(quiet=True)
        with console.status("starting Neo4j"):
            info = neo4j_server.start()
    except LinkageError as error:
        raise _fail(error) from None
    browser = info.http_url.rstrip("/") + "/browser/"
    out.print(f"Neo4j running (pid {info.pid}): {info.uri}  browser: {browser}")
    out.print("user neo4j; password in .neo4j/password")


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local server."""
    from linkage import neo4j_server

    try:
        stopped = neo4j_server.stop()
    except LinkageError as error:
        raise _fail(error) from None
    out.print("Neo4j stopped" if stopped else "Neo4j was not running")


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Say whether the local server runs, and where."""
    from linkage import neo4j_server

    info = neo4j_server.status()
    if info is None:
        out.print("Neo4j is not running (start it with `linkage neo4j start`)")
        raise typer.Exit(code=3)
    browser = info.http_url.rstrip("/") + "/browser/"
    out.print(f"Neo4j running (pid {info.pid}): {info.uri}  browser: {browser}")


@neo4j_app.command("load")
def neo4j_load(
    out_dir: Annotated[Path, typer.Argument(help="Run folder written by `linkage run`.")],
    uri: Annotated[
        str | None,
        typer.Option(help="Bolt URI (default: the local server, or LINKAGE_NEO4J_URI)."),
    ] = None,
) -> None:
    """Load a run folder's account graph and clusters into Neo4j (safe to repeat).

    Loading the same run again changes nothing; a later run updates the clusters in
    place (stable ids) and, for the accounts it holds, their attributes and links.
    """
    from linkage import neo4j_server

    try:
        _load_into_neo4j(out_dir, uri or neo4j_server.connection_settings()[0])
    except LinkageError as error:
        raise _fail(error) from None


@neo4j_app.command("query")
def neo4j_query(
    name: Annotated[
        str | None, typer.Argument(help="Query name; leave out to list the queries.")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A query parameter as key=value (repeatable)."),
    ] = None,
    uri: Annotated[
        str | None,
        typer.Option(help="Bolt URI (default: the local server, or LINKAGE_NEO4J_URI)."),
    ] = None,
) -> None:
    """Run an investigator query (cypher/queries/NAME.cypher) and print its rows.

    Example: linkage neo4j query cluster_members --param cluster_id=HC-5e28b2774e
    """
    from linkage import graph_store

    try:
        if name is None:
            _print_query_list(graph_store.list_queries())
            return
        params: dict[str, str] = {}
        for item in param or []:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise LinkageError(f"--param {item!r}: write it as key=value")
            params[key.strip()] = value
        graph_store.coerce_params(name, params)  # unknown query or bad value: before connecting
        with graph_store.GraphStore(uri=uri) as store:
            frame = store.run_query(name, params)
    except LinkageError as error:
        raise _fail(error) from None
    _print_frame(frame, title=f"{name} ({len(frame):,} rows)")


def _print_query_list(queries: list) -> None:
    table = Table(title="investigator queries (linkage neo4j query NAME --param k=v)")
    table.add_column("query")
    table.add_column("answers")
    table.add_column("parameters")
    for info in queries:
        params = ", ".join(p.name + ("" if p.required else f"={p.default!r}") for p in info.params)
        table.add_row(info.name, info.summary, params or "-")
    out.print(table)


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value) or "-"
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text.replace("+00:00", "Z")
    return str(value)


def _print_frame(frame: pd.DataFrame, title: str) -> None:
    if frame.empty:
        out.print(f"{title}: no rows")
        return
    table = Table(title=title, show_edge=False)
    for column in frame.columns:
        table.add_column(str(column), overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    # piped output is not cut to 80 columns: the rows stay one line each
    (out if out.is_terminal else Console(width=max(out.width, 240))).print(table)


def _load_into_neo4j(run_dir: Path, uri: str) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from linkage.graph_store import GraphStore

    with (
        GraphStore(uri=uri) as store,
        Progress(
            TextColumn("{task.description:<20}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
        ) as bar,
    ):
        tasks: dict[str, object] = {}

        def show(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)  # type: ignore[arg-type]

        report = store.load_run(run_dir, progress=show)
    table = Table(title=f"loaded {run_dir} into {uri} ({report.run_id})", show_edge=False)
    for column in ("step", "rows", "seconds", "rows/s"):
        table.add_column(column, justify="left" if column == "step" else "right")
    for step, load in report.steps.items():
        table.add_row(step, f"{load.rows:,}", f"{load.seconds:.1f}", f"{load.rows_per_second:,.0f}")
    table.add_row(
        "total",
        f"{report.rows:,}",
        f"{report.seconds:.1f}",
        f"{report.rows_per_second:,.0f}",
    )
    out.print(table)


# --- Takedown ----------------------------------------------------------------------------

takedown_app = typer.Typer(
    help=(
        "Plan a takedown of a run's flagged accounts for review, then apply it with an "
        "audit trail.\n\n"
        "  linkage takedown plan out/demo --allow-list allow.txt   # writes takedown-plan.json\n\n"
        "  linkage takedown apply out/demo/takedown-plan.json      # dry run\n\n"
        "  linkage takedown apply out/demo/takedown-plan.json --execute"
    ),
    no_args_is_help=True,
)
app.add_typer(takedown_app, name="takedown")


@takedown_app.command("plan")
def takedown_plan(
    run_dir: Annotated[Path, typer.Argument(help="Run folder written by `linkage run`.")],
    allow_list: Annotated[
        Path | None,
        typer.Option(help="File with one account_id or org:ORG per line, never to be touched."),
    ] = None,
    max_accounts: Annotated[
        int, typer.Option(help="Stop (exit 1) when the plan is larger than this.")
    ] = 1000,
    force_large: Annotated[
        bool, typer.Option("--force-large", help="Allow a plan larger than --max-accounts.")
    ] = False,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", help="Manifest to write (default RUN_DIR/takedown-plan.json)."),
    ] = None,
) -> None:
    """Write a takedown manifest to review: accounts with evidence, exclusions, blast radius.

    Accounts on the allow-list and accounts of declared organisations (an
    org_id at sign-up) are never included; the manifest lists them with why.
    """
    from linkage import takedown

    try:
        allowed = takedown.read_allow_list(allow_list) if allow_list else None
        manifest = takedown.plan_takedown(
            takedown.read_run_folder(run_dir), allowed, max_accounts, force_large
        )
        path = takedown.write_manifest(manifest, out_file or run_dir / "takedown-plan.json")
    except LinkageError as error:
        raise _fail(error) from None
    blast = manifest["blast_radius"]
    out.print(
        f"manifest {manifest['manifest_id']}: suspend {blast['accounts']:,} accounts "
        f"({blast['exchanges']:,} exchanges) in {blast['clusters']} clusters; "
        f"{blast['excluded_accounts']:,} excluded"
    )
    for name in ("organizations_attributed", "signup_pathways_touched", "declared_orgs_touched"):
        if blast[name]:
            out.print(f"  {name}: {json.dumps(blast[name], ensure_ascii=False)}", highlight=False)
    out.print(f"written to {path}; review it, then `linkage takedown apply {path}`")


@takedown_app.command("apply")
def takedown_apply(
    manifest: Annotated[Path, typer.Argument(help="Manifest written by `takedown plan`.")],
    execute: Annotated[
        bool, typer.Option("--execute", help="Act; without it this is a dry run.")
    ] = False,
    audit_log: Annotated[
        Path | None,
        typer.Option(help="Append-only JSONL audit log (default: takedown-audit.jsonl beside it)."),
    ] = None,
) -> None:
    """Apply a reviewed manifest: a dry run unless --execute; never acts twice on one manifest.

    With --execute, writes MANIFEST.actions.csv (for the enforcement system)
    and MANIFEST.revert.csv (the inverse actions) beside the manifest and
    records every action in the audit log.
    """
    from linkage import takedown

    try:
        outcome = takedown.apply_manifest(manifest, execute=execute, audit_log=audit_log)
    except LinkageError as error:
        raise _fail(error) from None
    pending = len(outcome.pending)
    done = f"{outcome.already_done:,} already applied (audit log {outcome.audit_log})"
    if not execute:
        out.print(
            f"dry run of {outcome.manifest_id}: would suspend {pending:,} accounts; {done}. "
            "Pass --execute to act."
        )
    elif not pending:
        out.print(f"nothing to do for {outcome.manifest_id}: {done}")
    else:
        out.print(
            f"{outcome.manifest_id}: {pending:,} actions written to {outcome.actions_csv} "
            f"(revert: {outcome.revert_csv}) and recorded in {outcome.audit_log}"
        )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
