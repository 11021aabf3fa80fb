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

import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from numbers import Integral, Real
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute
import pyarrow.csv

from linkage.errors import GraphStoreError, LinkageError
from linkage.graphdb import server as neo4j_server
from linkage.graphdb import tables
from linkage.graphdb.store import (
    GraphStore,
    LoadReport,
    StepLoad,
    dataset_name,
    read_run_folder,
    run_properties,
)
from linkage.run_model import Run

__all__ = ["BulkGraph", "build_graph", "bulk_load", "write_csv_files"]

T = TypeVar("T")

StepCallback = Callable[[str], None]
"""Told the name of each bulk step as it starts (for a progress display)."""


# ------------------------------------------------------------------------- property types


def _value_type(values: Iterable[object], where: str) -> str:
    """The one CSV type of the non-null Python values of an object column."""
    found: set[str] = set()
    for value in values:
        if isinstance(value, bool | np.bool_):
            found.add("boolean")
        elif isinstance(value, Integral):
            found.add("long")
        elif isinstance(value, Real):
            found.add("double")
        else:
            found.add("string")
    if len(found) > 1:
        # the Bolt loader would store each value with its own type: no single header can
        raise GraphStoreError(f"cannot bulk-load {where}: its values mix {sorted(found)}")
    return found.pop() if found else "string"


_INFERRED = {
    "string": "string",
    "empty": "string",
    "integer": "long",
    "floating": "double",
    "boolean": "boolean",
}


def _column_type(series: pd.Series, name: str, where: str) -> str:
    """The import type of a property column, as the Bolt loader would store its values."""
    if name in tables.TEMPORAL:
        return "datetime"
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "long"
    if pd.api.types.is_float_dtype(dtype):
        return "double"
    if tables.is_datetime(series):
        return "string"  # sent as ISO text, not wrapped in datetime()
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return "string"  # pandas' str dtype holds strings only
    inferred = _INFERRED.get(pd.api.types.infer_dtype(series, skipna=True))
    return inferred or _value_type(series.dropna().tolist(), f"{where}.{name}")


def _typed(series: pd.Series, kind: str) -> pd.Series:
    """A column in the dtype that keeps its type through outer merges (NA, not NaN)."""
    if kind == "long":
        return series.astype("Int64")
    if kind == "boolean":
        return series.astype("boolean")
    if kind == "double":
        return series.astype("float64")
    if tables.is_datetime(series):
        return pd.Series(tables.iso_times(series), index=series.index, dtype=object)
    return series.astype(object).where(series.notna(), None)


# -------------------------------------------------------------------------------- graph


@dataclass
class _Entities:
    """Nodes of one label, or relationships of one type, as one frame and its types."""

    frame: pd.DataFrame
    types: dict[str, str]
    start: str = ""  # relationships: the start node's label
    end: str = ""  # relationships: the end node's label


@dataclass
class BulkGraph:
    """A run's graph as the importer takes it: nodes per label, relationships per type."""

    nodes: dict[str, _Entities] = field(default_factory=dict)
    relationships: dict[str, _Entities] = field(default_factory=dict)
    rows: int = 0
    """Rows of the tables the graph was built from (what a Bolt load would send)."""

    def add_nodes(self, label: str, frame: pd.DataFrame, keys: tuple[str, ...]) -> None:
        """Nodes keyed by ``keys`` (their ``_id`` column is the import id); merged with the
        nodes of the label added before, as MERGE ... SET merges them."""
        part, types = self._part(frame, f":{label}", ("_id", *keys))
        part = part.drop_duplicates("_id", keep="last")
        known = self.nodes.get(label)
        if known is None:
            self.nodes[label] = _Entities(part, types)
            return
        on = ["_id", *keys]
        clash = (set(part.columns) & set(known.frame.columns)) - set(on)
        if clash:  # the load statements never set one property from two steps
            raise GraphStoreError(f":{label} properties {sorted(clash)} come from two steps")
        merged = known.frame.merge(part, on=on, how="outer", sort=False)
        self.nodes[label] = _Entities(merged, {**known.types, **types})

    def add_relationships(
        self,
        rel_type: str,
        start: str,
        end: str,
        frame: pd.DataFrame,
        unique: tuple[str, ...] = ("_start", "_end"),
    ) -> None:
        """Relationships with ``_start``/``_end`` ids; as MERGE does, one per ``unique``."""
        part, types = self._part(frame, f"[{rel_type}]", ("_start", "_end"))
        part = part.drop_duplicates(list(unique), keep="last")
        if rel_type in self.relationships:
            raise GraphStoreError(f"[{rel_type}] relationships come from two steps")
        self.relationships[rel_type] = _Entities(part, types, start, end)

    @staticmethod
    def _part(
        frame: pd.DataFrame, where: str, ids: tuple[str, ...]
    ) -> tuple[pd.DataFrame, dict[str, str]]:
        missing = [name for name in ids if name not in frame.columns]
        if missing:
            raise GraphStoreError(f"{where} rows lack {missing}")
        types = {
            name: _column_type(frame[name], name, where)
            for name in frame.columns
            if not name.startswith("_")
        }
        columns = {
            name: (
                frame[name].astype("str").to_numpy()
                if name.startswith("_")
                else _typed(frame[name], types[name]).to_numpy()
            )
            for name in frame.columns
        }
        return pd.DataFrame(columns), types

    def drop_dangling(self) -> None:
        """Relationships whose end nodes do not exist (the loader's MATCH skips them)."""
        ids = {label: _arrow_ids(nodes.frame["_id"]) for label, nodes in self.nodes.items()}
        none = pa.array([], type=pa.string())
        for entities in self.relationships.values():
            frame = entities.frame
            starts = pa.compute.is_in(_arrow_ids(frame["_start"]), ids.get(entities.start, none))
            ends = pa.compute.is_in(_arrow_ids(frame["_end"]), ids.get(entities.end, none))
            keep = pa.compute.and_(starts, ends).to_numpy(zero_copy_only=False)
            entities.frame = frame[keep]


def _arrow_ids(ids: pd.Series) -> pa.Array:
    return pa.array(ids.to_numpy(dtype=object), type=pa.string())


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


# ---------------------------------------------------------------------------- CSV files


def _double_text(value: float) -> str | None:
    if value != value:
        return None
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"  # Java's spelling
    return repr(value)  # the shortest text that reads back as the same double


def _arrow_column(values: pd.Series, kind: str) -> pa.Array:
    """One column for Arrow's CSV writer, which quotes every string (so "" stays an empty
    string) and leaves a missing value an empty field (the importer sets no property)."""
    if kind in ("string", "datetime"):
        return pa.array(values.to_numpy(dtype=object, na_value=None), type=pa.string())
    if kind == "long":
        return pa.array(values.astype("Int64"), type=pa.int64(), from_pandas=True)
    if kind == "boolean":
        return pa.array(values.astype("boolean"), type=pa.bool_(), from_pandas=True)
    numbers = values.astype("float64")
    if np.isinf(numbers.to_numpy()).any():
        # Arrow writes inf where Java reads Infinity: such a column goes as text
        return pa.array([_double_text(v) for v in numbers.tolist()], type=pa.string())
    return pa.array(numbers, type=pa.float64(), from_pandas=True)


def _header(entities: _Entities, label_or_type: str, is_node: bool) -> list[str]:
    if is_node:
        head = [f":ID({label_or_type})"]
    else:
        head = [f":START_ID({entities.start})", f":END_ID({entities.end})"]
    names = [c for c in entities.frame.columns if not c.startswith("_")]
    return head + [f"{name}:{entities.types[name]}" for name in names]


def _write_entities(entities: _Entities, path: Path, header: list[str]) -> bool:
    """Write one CSV file; whether a value holds a line break (the importer must know)."""
    frame = entities.frame
    ids = ["_id"] if "_id" in frame.columns else ["_start", "_end"]
    names = [c for c in frame.columns if not c.startswith("_")]
    arrays = [_arrow_column(frame[c], "string") for c in ids]
    arrays += [_arrow_column(frame[c], entities.types[c]) for c in names]
    multiline = any(
        pa.compute.any(pa.compute.match_substring_regex(array, "[\r\n]")).as_py()
        for array, name in zip(arrays, [*ids, *names], strict=True)
        if array.type == pa.string() and entities.types.get(name, "string") == "string"
    )
    options = pa.csv.WriteOptions(include_header=False, quoting_style="needed")
    with path.open("wb") as out:
        # the header by hand: Arrow would quote it, and its names hold ':' and '()'
        out.write((",".join(header) + "\n").encode("utf-8"))
        table = pa.Table.from_arrays(arrays, names=[f"c{i}" for i in range(len(arrays))])
        pa.csv.write_csv(table, out, write_options=options)
    return multiline


def write_csv_files(
    graph: BulkGraph, folder: Path
) -> tuple[list[tuple[str, Path]], list[tuple[str, Path]], bool]:
    """One CSV file per label and per relationship type, in ``folder``.

    Returns:
        (label, file) per node file, (type, file) per relationship file, and whether
        some value holds a line break.
    """
    folder.mkdir(parents=True, exist_ok=True)
    nodes: list[tuple[str, Path]] = []
    relationships: list[tuple[str, Path]] = []
    multiline = False
    for label, entities in sorted(graph.nodes.items()):
        if entities.frame.empty:
            continue
        path = folder / f"nodes_{label}.csv"
        multiline |= _write_entities(entities, path, _header(entities, label, True))
        nodes.append((label, path))
    for rel_type, entities in sorted(graph.relationships.items()):
        if entities.frame.empty:
            continue
        path = folder / f"relationships_{rel_type}.csv"
        multiline |= _write_entities(entities, path, _header(entities, rel_type, False))
        relationships.append((rel_type, path))
    return nodes, relationships, multiline


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
            lambda: neo4j_server.import_full(nodes, relationships, multiline=multiline),
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
