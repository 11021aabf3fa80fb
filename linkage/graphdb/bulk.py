"""Bulk loading: a run folder into the local server with ``neo4j-admin database import``.

Loading over Bolt (:meth:`linkage.graphdb.store.GraphStore.load_run`) MERGEs rows in
transactions: idempotent and incremental, tens of thousands of rows per second. For a
run of millions of rows, :func:`bulk_load` writes the graph as CSV files (``:ID`` /
``:START_ID`` / ``:END_ID`` headers, every property typed) and has the offline importer
rebuild the database from them:

1. read the run and build the same tables the Bolt loader sends (:mod:`.tables`),
   merged per label the way the MERGE statements merge them;
2. write one CSV file per label and per relationship type (the server still serves);
3. stop the local server, run ``neo4j-admin database import full``, start it again,
   apply ``cypher/schema.cypher``; a server that was not running is stopped again.

The result is the graph a Bolt load of the run into an empty database gives (equal
:meth:`~linkage.graphdb.store.GraphStore.checksum`). The database is rebuilt, so
whatever it held before is gone: a bulk load always replaces the dataset.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import pandas as pd

from linkage.errors import GraphStoreError, LinkageError, Neo4jServerError
from linkage.graphdb import process, tables
from linkage.graphdb import server as neo4j_server
from linkage.graphdb.bulk_csv import BulkGraph, write_csv_files
from linkage.graphdb.home import Layout, read_conf, server_layout
from linkage.graphdb.install import (
    ADMIN_TOOL,
    find_java,
    heap_flag,
    install,
    jars_installed,
    last_line,
    run_admin,
)
from linkage.graphdb.loading import (
    LoadReport,
    StepLoad,
    dataset_name,
    read_run_folder,
    run_properties,
)
from linkage.graphdb.store import GraphStore
from linkage.run_model import Run

__all__ = ["BulkGraph", "build_graph", "bulk_load", "import_full", "write_csv_files"]

T = TypeVar("T")

StepCallback = Callable[[str], None]
"""Told the name of each bulk step as it starts (for a progress display)."""


def _ids(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].astype("str")


def _indicator_ids(types: pd.Series, values: pd.Series) -> pd.Series:
    """One import id per (type, value): length-prefixed, so that no two pairs collide."""
    types = types.astype("str")
    return types.str.len().astype("str") + ":" + types + values.astype("str")


def build_graph(run: Run, dataset: str, min_link_strength: float | None = None) -> BulkGraph:
    """The graph a Bolt load of ``run`` into an empty database gives, as import tables."""
    graph = BulkGraph()
    run_id = str(run.run_id)
    _add_accounts_and_attributes(graph, run, run_id)
    _add_networks_and_payments(graph, run)
    links = tables.link_rows(run, min_link_strength).frame
    graph.rows += len(links)
    links = links.assign(_start=_ids(links, "account_a"), _end=_ids(links, "account_b"))
    links = links.drop(columns=["account_a", "account_b"]).assign(run=run_id)
    graph.add_relationships("LINKED_TO", "Account", "Account", links)
    _add_attribution(graph, run, run_id)
    properties = {k: v for k, v in run_properties(run, dataset).items() if v is not None}
    properties["complete"] = True
    graph.add_nodes("Run", pd.DataFrame([{**properties, "_id": run_id}]), ("run_id",))
    graph.drop_dangling()
    return graph


def _add_accounts_and_attributes(graph: BulkGraph, run: Run, run_id: str) -> None:
    accounts = tables.account_rows(run).frame
    graph.rows += len(accounts)
    graph.add_nodes(
        "Account",
        accounts.assign(_id=_ids(accounts, "account_id"), run=run_id),
        ("account_id",),
    )
    intel = tables.intel_rows(run).frame
    graph.rows += len(intel)
    graph.add_nodes("Network", intel.assign(_id=_ids(intel, "cidr"), intel=True), ("cidr",))
    announced = intel[intel["asn"].notna()]
    # SET s.org = coalesce(row.as_org, s.org): the last as_org given wins
    orgs = announced.groupby("asn", sort=False)["as_org"].last().reset_index()
    asns = pd.DataFrame({"number": orgs["asn"].astype("Int64"), "org": orgs["as_org"]})
    graph.add_nodes("ASN", asns.assign(_id=_ids(asns, "number")), ("number",))
    graph.add_relationships(
        "ANNOUNCED_BY",
        "Network",
        "ASN",
        pd.DataFrame({"_start": announced["cidr"], "_end": announced["asn"].astype("Int64")}),
    )
    for kind, held in tables.attribute_kinds(run):
        nodes = tables.attribute_node_rows(run, kind.name, held).frame
        nodes = nodes.rename(columns={"value": kind.graph_key})
        graph.rows += len(nodes)
        nodes = nodes.assign(_id=_ids(nodes, kind.graph_key))
        graph.add_nodes(kind.graph_label, nodes, (kind.graph_key,))
        edges = tables.attribute_edge_rows(held).frame
        graph.rows += len(edges)
        edges = edges.assign(_start=edges["account_id"], _end=edges["value"], run=run_id)
        graph.add_relationships(
            kind.graph_relationship,
            "Account",
            kind.graph_label,
            edges.drop(columns=["account_id", "value"]),
        )


def _add_networks_and_payments(graph: BulkGraph, run: Run) -> None:
    pairs = tables.ip_network_rows(run).frame
    graph.rows += len(pairs)
    graph.add_nodes("Network", pairs[["cidr"]].assign(_id=_ids(pairs, "cidr")), ("cidr",))
    in_network = pd.DataFrame({"_start": pairs["address"], "_end": pairs["cidr"]})
    graph.add_relationships("IN_NETWORK", "IP", "Network", in_network)
    payments = tables.payment_rows(run).frame
    graph.rows += len(payments)
    # SET p.billing_country = coalesce(row.billing_country, p.billing_country)
    country = payments.groupby("fingerprint", sort=False)["billing_country"].last()
    methods = pd.DataFrame({"fingerprint": country.index, "billing_country": country.to_numpy()})
    graph.add_nodes(
        "PaymentMethod", methods.assign(_id=_ids(methods, "fingerprint")), ("fingerprint",)
    )
    named = payments[payments["billing_name"].notna()]
    names = pd.DataFrame({"name": named["billing_name"]}).drop_duplicates()
    graph.add_nodes("BillingName", names.assign(_id=_ids(names, "name")), ("name",))
    billed = pd.DataFrame({"_start": named["fingerprint"], "_end": named["billing_name"]})
    graph.add_relationships("BILLED_TO", "PaymentMethod", "BillingName", billed)


def _add_attribution(graph: BulkGraph, run: Run, run_id: str) -> None:
    indicators = tables.indicator_rows(run).frame
    graph.rows += len(indicators)
    ids = _indicator_ids(indicators["type"], indicators["value"])
    graph.add_nodes("Indicator", indicators[["type", "value"]].assign(_id=ids), ("type", "value"))
    owned = indicators.assign(_start=ids)[indicators["organization"].notna()]
    clusters = tables.cluster_rows(run).frame
    graph.rows += len(clusters)
    attributed = clusters[clusters["organization"].notna()]
    names = pd.concat([owned["organization"], attributed["organization"]]).drop_duplicates()
    organizations = pd.DataFrame({"name": names.astype("str")})
    graph.add_nodes("Organization", organizations.assign(_id=organizations["name"]), ("name",))
    belongs = owned[["_start", "confidence", "source"]].assign(_end=owned["organization"])
    graph.add_relationships("BELONGS_TO", "Indicator", "Organization", belongs)
    matches = tables.match_rows(run).frame
    graph.rows += len(matches)
    matched = pd.DataFrame(
        {
            "_start": _indicator_ids(matches["type"], matches["value"]),
            "_end": matches["account_id"],
            "matched_value": matches["matched_value"],
        }
    ).assign(run=run_id)
    unique = ("_start", "_end", "matched_value")  # MERGE ...-[:MATCHED {matched_value}]->...
    graph.add_relationships("MATCHED", "Indicator", "Account", matched, unique)
    graph.add_nodes(
        "Cluster",
        clusters.assign(_id=_ids(clusters, "cluster_id"), run=run_id),
        ("cluster_id",),
    )
    graph.add_relationships(
        "ATTRIBUTED_TO",
        "Cluster",
        "Organization",
        pd.DataFrame(
            {
                "_start": attributed["cluster_id"],
                "_end": attributed["organization"],
                "confidence": attributed["attribution_confidence"],
            }
        ),
    )
    members = tables.membership_rows(run).frame
    graph.rows += len(members)
    member_of = pd.DataFrame({"_start": members["account_id"], "_end": members["cluster_id"]})
    graph.add_relationships("MEMBER_OF", "Account", "Cluster", member_of.assign(run=run_id))


# ------------------------------------------------------------------------------- loading


def _local_target(uri: str | None) -> str:
    """The Bolt URI to check the result on; it must be the local server's."""
    target = uri or neo4j_server.connection_settings()[0]
    if not neo4j_server.is_local_uri(target):
        raise GraphStoreError(
            f"--bulk rebuilds the local server's database files; {target} is not the local "
            f"server of {neo4j_server.state_dir()}: load over Bolt instead (leave out --bulk)"
        )
    return target


def _open_when_ready(uri: str, timeout_s: float = 180.0) -> GraphStore:
    """A store on the restarted server, once its database answers (it may be recovering)."""
    deadline = time.monotonic() + timeout_s
    while True:
        store = GraphStore(uri, retry_seconds=5)
        try:
            store.datasets()
            return store
        except GraphStoreError:
            store.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(1.0)


def bulk_load(
    run_dir: Path,
    *,
    uri: str | None = None,
    dataset: str | None = None,
    min_link_strength: float | None = None,
    work_dir: Path | None = None,
    step: StepCallback | None = None,
) -> LoadReport:
    """Rebuild the local server's database from a run folder with the offline importer.

    See the module docstring. The server is stopped for the import and started again (a
    server that was not running is left stopped at the end).

    Args:
        run_dir: a run folder written by ``linkage run``.
        uri: the local server's Bolt URI (default: connection_settings()); anything
            else is refused, as the import writes the local server's files.
        dataset: the dataset's name; default: the run's input folder (run.json).
        min_link_strength: as for :meth:`GraphStore.load_run`.
        work_dir: where to write the CSV files (kept); default: a temporary folder in
            the server's state folder, deleted afterwards.
        step: told each step's name as it starts.

    Raises:
        GraphStoreError: not a run folder, not the local server, or the import failed.
    """
    target = _local_target(uri)
    run = read_run_folder(run_dir)
    name = dataset_name(run, dataset)
    report = LoadReport(str(run.run_id), Path(run_dir), dataset=name, bulk=True)
    began = time.perf_counter()
    was_running = neo4j_server.status() is not None
    if was_running:
        with GraphStore(target) as store:
            report.replaced = [held for held in store.datasets() if held != name]
    if work_dir is None:
        # beside the database: as big as the import, and private to this server's owner
        neo4j_server.state_dir().mkdir(parents=True, exist_ok=True)
    folder = work_dir or Path(tempfile.mkdtemp(prefix="bulk-", dir=neo4j_server.state_dir()))
    try:
        graph = _timed(
            report, "build graph", step, lambda: build_graph(run, name, min_link_strength)
        )
        files = _timed(report, "write csv", step, lambda: write_csv_files(graph, folder))
        report.steps["write csv"].rows = graph.rows
        _import(report, files, was_running, target, step)
    finally:
        if work_dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    report.seconds = time.perf_counter() - began
    return report


def _timed(report: LoadReport, name: str, step: StepCallback | None, action: Callable[[], T]) -> T:
    """Run one step of the bulk load, its time recorded in the report."""
    if step is not None:
        step(name)
    began = time.perf_counter()
    result = action()
    report.steps[name] = StepLoad(rows=0, seconds=time.perf_counter() - began)
    return result


def _import(
    report: LoadReport,
    files: tuple[list[tuple[str, Path]], list[tuple[str, Path]], bool],
    was_running: bool,
    target: str,
    step: StepCallback | None,
) -> None:
    nodes, relationships, multiline = files
    try:
        _timed(report, "stop server", step, neo4j_server.stop)
        _timed(
            report,
            "import",
            step,
            lambda: import_full(nodes, relationships, multiline=multiline),
        )
    except LinkageError as exc:
        if was_running:
            neo4j_server.start()  # back up, even if empty: the user's other tools need it
        raise GraphStoreError(str(exc)) from exc
    _timed(report, "start server", step, neo4j_server.start)
    try:
        with _open_when_ready(target) as store:
            _timed(report, "schema", step, store.apply_schema)
    finally:
        if not was_running:
            neo4j_server.stop()


# ---------------------------------------------------------------------- offline import


def import_full(
    nodes: Sequence[tuple[str, Path]],
    relationships: Sequence[tuple[str, Path]],
    *,
    multiline: bool = False,
    max_off_heap_memory: str = "2G",
    timeout_s: float = 6 * 3600,
) -> Path:
    """Replace the local server's ``neo4j`` database with CSV files, offline.

    Runs ``neo4j-admin database import full --overwrite-destination`` (the fast way in for
    millions of rows: no transactions, no MERGE). Node files have ``:ID(group)`` columns,
    relationship files ``:START_ID(group)``/``:END_ID(group)``; every column is typed in
    the header. The server must be stopped; the tool's output goes to
    ``.neo4j/import.log``, returned.

    Args:
        nodes: (label, CSV file) per node file.
        relationships: (type, CSV file) per relationship file.
        multiline: some values hold line breaks (slower parsing).
        max_off_heap_memory: cap on the tool's off-heap caches (the default is 90% of RAM).

    Raises:
        Neo4jServerError: the server runs, no Java, a file name the tool cannot take, or
            the import failed (the database is then left empty or partial: load again).
    """
    layout = server_layout()
    if process.find_server(layout.pid_file, layout.home) is not None:
        raise Neo4jServerError(
            "the local Neo4j server is running: stop it (`linkage neo4j stop`) before an "
            "offline import"
        )
    if not jars_installed(layout):
        install(quiet=True)
    java, _ = find_java()
    command = _import_command(layout, java, nodes, relationships, multiline, max_off_heap_memory)
    log_path = layout.state / "import.log"
    try:
        log = log_path.open("w", encoding="utf-8")
    except OSError as exc:
        raise Neo4jServerError(
            f"neo4j-admin database import: cannot write {log_path}: {exc}"
        ) from exc
    with log:
        result = run_admin(layout, java, command, "database import", timeout_s, log)
    if result.returncode != 0:
        reason = last_line(log_path, ("ERROR", "Exception", "rror:", "Invalid", "Missing"))
        raise Neo4jServerError(
            f"neo4j-admin database import failed (exit {result.returncode}"
            f"{': ' + reason if reason else ''}); see {log_path}"
        )
    return log_path


def _import_command(
    layout: Layout,
    java: Path,
    nodes: Sequence[tuple[str, Path]],
    relationships: Sequence[tuple[str, Path]],
    multiline: bool,
    max_off_heap_memory: str,
) -> list[str]:
    pairs = read_conf(layout)
    command = [str(java), "-cp", str(layout.home / "lib" / "*")]
    command += heap_flag(pairs, "server.memory.heap.max_size", "-Xmx")
    command += [value for key, value in pairs if key == "server.jvm.additional"]
    # the database name first: a --nodes/--relationships list would swallow it as a file
    command += [ADMIN_TOOL, "database", "import", "full", "neo4j", "--overwrite-destination=true"]
    command += [f"--max-off-heap-memory={max_off_heap_memory}", "--bad-tolerance=0"]
    command += [f"--report-file={layout.state / 'import.report'}"]
    if multiline:
        command.append("--multiline-fields=true")
    for flag, entries in (("--nodes", nodes), ("--relationships", relationships)):
        for name, path in entries:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or "," in str(path):
                # the tool splits file lists on commas and label lists on colons
                raise Neo4jServerError(f"cannot import {name}={path}: unusable name or path")
            command.append(f"{flag}={name}={path.resolve()}")
    return command
