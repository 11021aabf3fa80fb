"""`linkage neo4j ...`: the local Neo4j server, loading runs, investigator queries."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from linkage.cli.common import console, fail, out
from linkage.errors import LinkageError

if TYPE_CHECKING:
    from rich.progress import TaskID

    from linkage.graphdb.loading import LoadReport

app = typer.Typer(
    help="Run a local Neo4j server and explore the account graph in it.", no_args_is_help=True
)


@app.command("install")
def neo4j_install() -> None:
    """Fetch the Neo4j Community server from Maven Central into .neo4j/ (once)."""
    from linkage.graphdb import server as neo4j_server

    try:
        home = neo4j_server.install()
    except LinkageError as error:
        raise fail(error) from None
    out.print(f"Neo4j installed in {home}")


@app.command("start")
def neo4j_start() -> None:
    """Start the local server (127.0.0.1 only); prints where to connect."""
    from linkage.graphdb import server as neo4j_server

    try:
        neo4j_server.install(quiet=True)
        with console.status("starting Neo4j"):
            info = neo4j_server.start()
    except LinkageError as error:
        raise fail(error) from None
    browser = info.http_url.rstrip("/") + "/browser/"
    out.print(f"Neo4j running (pid {info.pid}): {info.uri}  browser: {browser}")
    out.print(f"user neo4j; password in {neo4j_server.state_dir() / 'password'}")


@app.command("stop")
def neo4j_stop() -> None:
    """Stop the local server."""
    from linkage.graphdb import server as neo4j_server

    try:
        stopped = neo4j_server.stop()
    except LinkageError as error:
        raise fail(error) from None
    out.print("Neo4j stopped" if stopped else "Neo4j was not running")


@app.command("status")
def neo4j_status() -> None:
    """Say whether the local server runs, and where."""
    from linkage.graphdb import server as neo4j_server

    info = neo4j_server.status()
    if info is None:
        out.print("Neo4j is not running (start it with `linkage neo4j start`)")
        raise typer.Exit(code=3)
    browser = info.http_url.rstrip("/") + "/browser/"
    out.print(f"Neo4j running (pid {info.pid}): {info.uri}  browser: {browser}")


@app.command("load")
def neo4j_load(
    out_dir: Annotated[Path, typer.Argument(help="Run folder written by `linkage run`.")],
    uri: Annotated[
        str | None,
        typer.Option(help="Bolt URI (default: the local server, or LINKAGE_NEO4J_URI)."),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option(help="Name of the run's dataset (default: its input folder, run.json)."),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Empty the graph first, even for the same dataset."),
    ] = False,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk",
            help="Rebuild the local server's database with neo4j-admin import (offline: the "
            "server is stopped and restarted); for runs of millions of rows.",
        ),
    ] = False,
) -> None:
    """Load a run folder's account graph and clusters into Neo4j (safe to repeat).

    The graph holds one dataset. Loading the same run again changes nothing; a later run
    of the same dataset updates the clusters in place (stable ids) and, for the accounts
    it holds, their attributes and links; a run of another dataset replaces the graph.
    """
    from linkage.graphdb import server as neo4j_server

    try:
        target = uri or neo4j_server.connection_settings()[0]
        load_into_neo4j(out_dir, target, dataset=dataset, replace=replace, bulk=bulk)
    except LinkageError as error:
        raise fail(error) from None


@app.command("query")
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
    from linkage.graphdb import queries as graph_queries
    from linkage.graphdb import store as graph_store

    try:
        if name is None:
            _print_query_list(graph_queries.list_queries())
            return
        params: dict[str, str] = {}
        for item in param or []:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise LinkageError(f"--param {item!r}: write it as key=value")
            params[key.strip()] = value
        graph_queries.coerce_params(name, params)  # unknown query or bad value: before connecting
        with graph_store.GraphStore(uri=uri) as store:
            frame = store.run_query(name, params)
    except LinkageError as error:
        raise fail(error) from None
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


def load_into_neo4j(
    run_dir: Path,
    uri: str,
    *,
    dataset: str | None = None,
    replace: bool = False,
    bulk: bool = False,
) -> None:
    """Load a run folder (over Bolt, or with the offline importer) and print the steps."""
    if bulk:
        from linkage.graphdb.bulk import bulk_load

        with console.status("bulk load") as status:
            report = bulk_load(
                run_dir, uri=uri, dataset=dataset, step=lambda s: status.update(f"bulk: {s}")
            )
    else:
        report = _load_over_bolt(run_dir, uri, dataset, replace)
    how = "bulk-imported" if report.bulk else "loaded"
    table = Table(
        title=f"{how} {run_dir} into {uri} ({report.run_id}, dataset {report.dataset})",
        show_edge=False,
    )
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
    if report.replaced:
        out.print(f"replaced the graph's dataset: {', '.join(report.replaced)}")


def _load_over_bolt(run_dir: Path, uri: str, dataset: str | None, replace: bool) -> LoadReport:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from linkage.graphdb.store import GraphStore

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
        tasks: dict[str, TaskID] = {}

        def show(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        return store.load_run(run_dir, progress=show, dataset=dataset, replace=replace)


# --- Takedown ----------------------------------------------------------------------------
