"""The graph store: a run folder's account graph in Neo4j, and the investigator queries.

This is the only module that imports the ``neo4j`` driver. Every Cypher statement it
sends is read from ``cypher/*.cypher`` (loading, schema, housekeeping) or
``cypher/queries/*.cypher`` (investigator queries) by name; values always travel as
``$parameters``. The only text ever filled into a statement is a label, key property
or relationship type from :data:`ATTRIBUTE_KINDS`, a fixed allow-list.

Graph model (``cypher/README.md`` has the long version)::

    (:Account {account_id, created_at, email, email_canonical, ...})
        -[:PAID_WITH]->        (:PaymentMethod {fingerprint, billing_country})
        -[:HAS_EMAIL]->        (:Email {address})              canonical mailbox
        -[:BILLED_AS]->        (:BillingName {name})           normalised billing name
        -[:USED_KEY]->         (:ApiKey {key_id})
        -[:USED_IP]->          (:IP {address, kind})
        -[:USED_NETWORK]->     (:Network {cidr})               the /24 (IPv6 /48) subnet
        -[:SENT_TEMPLATE]->    (:Template {template_id, text, requests})
        -[:USED_CLIENT]->      (:UserAgent {value})
        -[:HAS_EMAIL_DOMAIN]-> (:EmailDomain {domain})         non-freemail domains only
      each with {uses, first_seen, last_seen, contribution} from link.py's incidence table;
      every attribute node has ``accounts``, how many accounts hold it.
    (:Account)-[:LINKED_TO {strength, shared, payment_shared, ip_shared, ...}]->(:Account)
      by default only links of at least the run's min_link_strength (those clustering used)
    (:Account)-[:MEMBER_OF]->(:Cluster {cluster_id, hydra_score, flagged, organization, ...})
    (:Cluster)-[:ATTRIBUTED_TO {confidence}]->(:Organization {name})
    (:Indicator {type, value})-[:BELONGS_TO {confidence, source}]->(:Organization)
    (:Indicator)-[:MATCHED {matched_value}]->(:Account)
    (:IP)-[:IN_NETWORK]->(:Network)      its subnet, and its longest-prefix ip_intel block
    (:Network {intel: true, kind, asn, as_org})-[:ANNOUNCED_BY]->(:ASN {number, org})
    (:PaymentMethod)-[:BILLED_TO]->(:BillingName)
    (:Run {run_id, dataset, started_at, complete, ...})        one per run folder loaded

The graph holds one dataset (a run's input folder, or the name given): loading a run of
another dataset empties the graph first, so that no query ever mixes two datasets (their
accounts would share IP, card and template nodes). ``linkage.graphdb.bulk`` rebuilds the
database from one run with the offline importer instead, from the same row tables
(``linkage.graphdb.tables``).

Loading is idempotent (``UNWIND $rows MERGE ... SET``): loading a run twice, or again
after a load that broke off, gives the same graph. A later run of the same dataset
updates the graph in place: nodes accumulate, and the run is authoritative for what it
covers. Its clusters
replace all earlier clusters (stable ids: a cluster that keeps its id keeps its node;
memberships and clusters it does not produce are removed), and for every account it
holds, its relationships (attributes, links, indicator matches) replace earlier ones.
That is done with a ``run`` stamp on accounts, clusters and their relationships.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import neo4j
import pandas as pd
from neo4j import exceptions as neo4j_errors

from linkage.errors import GraphStoreError, LinkageError
from linkage.graphdb import server as neo4j_server
from linkage.graphdb import tables
from linkage.graphdb.resources import resource_dir
from linkage.graphdb.tables import Table
from linkage.io.run_folder import read_run
from linkage.kinds import ATTRIBUTE_KINDS
from linkage.run_model import Run

__all__ = [
    "ATTRIBUTE_KINDS",
    "CYPHER_DIR",
    "GraphStore",
    "LoadReport",
    "ProgressCallback",
    "QueryInfo",
    "coerce_params",
    "cypher",
    "cypher_template",
    "list_queries",
    "query_info",
]

CYPHER_DIR = resource_dir("cypher")
"""Where the Cypher files live (``cypher/`` at the top of the checkout)."""

ProgressCallback = Callable[[str, int, int], None]
"""Called after every batch with (step, rows done in the step, rows in the step)."""

# A misconfigured or unreachable server makes the driver log warnings of its own; the
# errors reach the caller as GraphStoreError, so keep the driver quiet unless the
# application configures logging itself.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


_PLACEHOLDERS = {
    "__LABEL__": {kind.graph_label for kind in ATTRIBUTE_KINDS.values()},
    "__KEY__": {kind.graph_key for kind in ATTRIBUTE_KINDS.values()},
    "__REL__": {kind.graph_relationship for kind in ATTRIBUTE_KINDS.values()},
}
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_PARAM_LINE = re.compile(
    r"^//\s*@param\s+(?P<name>[A-Za-z_]\w*)\s+(?P<type>string|integer|float|boolean)"
    r'(?:\s*=\s*(?P<default>"[^"]*"|\S+))?(?:\s+(?P<help>.*))?$'
)
_PARAM_USE = re.compile(r"\$([A-Za-z_]\w*)")
_URI = re.compile(r"(bolt|neo4j)(\+s|\+ssc)?://[^\s/]+(:\d+)?/?")
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


# ---------------------------------------------------------------------------- Cypher files


def _cypher_path(name: str) -> Path:
    if not _NAME.fullmatch(name):
        raise GraphStoreError(
            f"{name!r} is not a Cypher file name (lower case letters, digits and _ only)"
        )
    for folder in (CYPHER_DIR, CYPHER_DIR / "queries"):
        path = folder / f"{name}.cypher"
        if path.is_file():
            return path
    known = ", ".join(list_queries_names()) or "none"
    raise GraphStoreError(f"no Cypher file {name}.cypher in {CYPHER_DIR} (queries: {known})")


def cypher(name: str) -> str:
    """The text of ``cypher/NAME.cypher`` (or ``cypher/queries/NAME.cypher``).

    Raises:
        GraphStoreError: no such file, or a name that is not a plain identifier.
    """
    path = _cypher_path(name)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GraphStoreError(f"cannot read {path}: {exc.strerror}") from exc


def cypher_template(name: str, **identifiers: str) -> str:
    """A Cypher file with its ``__LABEL__``/``__KEY__``/``__REL__`` placeholders filled.

    Each value must be on the allow-list (:data:`ATTRIBUTE_KINDS`); values never go
    into the text, only labels, key property names and relationship types.

    >>> "MERGE (x:IP {address: row.value})" in cypher_template(
    ...     "load_attribute_nodes", LABEL="IP", KEY="address")
    True
    """
    text = cypher(name)
    for placeholder_name, value in identifiers.items():
        placeholder = f"__{placeholder_name}__"
        allowed = _PLACEHOLDERS.get(placeholder)
        if allowed is None:
            raise GraphStoreError(f"{name}.cypher: unknown placeholder {placeholder}")
        if value not in allowed:
            raise GraphStoreError(
                f"{name}.cypher: {value!r} is not an allowed value for {placeholder}"
            )
        text = text.replace(placeholder, value)
    left = sorted(set(re.findall(r"__[A-Z]+__", text)))
    if left:
        raise GraphStoreError(f"{name}.cypher: placeholders left unfilled: {', '.join(left)}")
    return text


def _statements(text: str) -> list[str]:
    """The statements of a multi-statement file (schema.cypher): split on ``;`` at line end."""
    body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))
    return [part.strip() for part in re.split(r";\s*$", body, flags=re.MULTILINE) if part.strip()]


# ------------------------------------------------------------------- investigator queries


@dataclass(frozen=True)
class QueryParam:
    name: str
    type: str
    default: Any
    required: bool
    help: str


@dataclass(frozen=True)
class QueryInfo:
    """What an investigator query answers and which parameters it takes (its header)."""

    name: str
    summary: str
    description: str
    params: tuple[QueryParam, ...]


def list_queries_names() -> list[str]:
    folder = CYPHER_DIR / "queries"
    return sorted(path.stem for path in folder.glob("*.cypher")) if folder.is_dir() else []


def list_queries() -> list[QueryInfo]:
    """Every investigator query in ``cypher/queries/``, with its header."""
    return [query_info(name) for name in list_queries_names()]


def query_info(name: str) -> QueryInfo:
    """Parse the header of ``cypher/queries/NAME.cypher``.

    The header is the leading ``//`` comment: ``// NAME: one-line summary``, more
    lines of description, then one ``// @param NAME TYPE [= DEFAULT] help`` line per
    parameter (TYPE is string, integer, float or boolean; without a default the
    parameter is required).
    """
    path = CYPHER_DIR / "queries" / f"{name}.cypher"
    if not _NAME.fullmatch(name) or not path.is_file():
        known = ", ".join(list_queries_names()) or "none"
        raise GraphStoreError(f"no query named {name!r}; the queries are: {known}")
    lines = path.read_text(encoding="utf-8").splitlines()
    header: list[str] = []
    for line in lines:
        if not line.startswith("//"):
            break
        header.append(line)
    if not header or not header[0].startswith(f"// {name}:"):
        raise GraphStoreError(f"{path}: the first line must be '// {name}: what it answers'")
    summary = header[0].split(":", 1)[1].strip()
    description: list[str] = []
    params: list[QueryParam] = []
    for line in header[1:]:
        match = _PARAM_LINE.match(line)
        if match:
            raw_default = match.group("default")
            kind = match.group("type")
            default = None if raw_default is None else _coerce(raw_default.strip('"'), kind, name)
            params.append(
                QueryParam(
                    name=match.group("name"),
                    type=kind,
                    default=default,
                    required=raw_default is None,
                    help=(match.group("help") or "").strip(),
                )
            )
        elif "@param" in line:
            raise GraphStoreError(f"{path}: cannot read parameter line {line!r}")
        else:
            description.append(line[2:].strip())
    return QueryInfo(name, summary, " ".join(d for d in description if d), tuple(params))


def _coerce(value: Any, kind: str, where: str) -> Any:
    if not isinstance(value, str):
        if kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        python_type = {"string": str, "integer": int, "boolean": bool}.get(kind, float)
        if isinstance(value, python_type) and not (kind == "integer" and isinstance(value, bool)):
            return value
        raise GraphStoreError(f"{where}: expected {kind}, got {value!r}")
    try:
        if kind == "integer":
            return int(value)
        if kind == "float":
            return float(value)
    except ValueError:
        wanted = "an integer" if kind == "integer" else "a number"
        raise GraphStoreError(f"{where}: {value!r} is not {wanted}") from None
    if kind == "boolean":
        lowered = value.strip().lower()
        if lowered in _TRUE | _FALSE:
            return lowered in _TRUE
        raise GraphStoreError(f"{where}: {value!r} is not a boolean (true or false)")
    return value


def coerce_params(name: str, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """A query's parameters: strings converted to the declared types, defaults filled in.

    >>> coerce_params("top_clusters", {"limit": "5"})
    {'limit': 5, 'flagged_only': False}

    Raises:
        GraphStoreError: an unknown or missing parameter, or a value of the wrong type.
    """
    info = query_info(name)
    given = dict(given or {})
    declared = {param.name: param for param in info.params}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        takes = ", ".join(declared) or "no parameters"
        raise GraphStoreError(
            f"query {name} has no parameter {', '.join(unknown)} (it takes: {takes})"
        )
    values: dict[str, Any] = {}
    for param in info.params:
        if param.name in given:
            values[param.name] = _coerce(given[param.name], param.type, f"{name} {param.name}")
        elif param.required:
            raise GraphStoreError(
                f"query {name} needs --param {param.name}=... ({param.type}: {param.help})"
            )
        else:
            values[param.name] = param.default
    return values


# --------------------------------------------------------------------------------- report


@dataclass
class StepLoad:
    rows: int = 0
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass
class LoadReport:
    """What a load did: rows sent and seconds per step, the dataset, what it replaced."""

    run_id: str
    run_dir: Path
    dataset: str = ""
    steps: dict[str, StepLoad] = field(default_factory=dict)
    seconds: float = 0.0
    replaced: list[str] = field(default_factory=list)
    """The datasets the graph held before and no longer holds (empty: none replaced)."""
    bulk: bool = False
    """Loaded with neo4j-admin database import (offline) rather than over Bolt."""

    @property
    def rows(self) -> int:
        return sum(step.rows for step in self.steps.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


# ------------------------------------------------------------------------------ datasets

UNKNOWN_DATASET = "(unknown)"
"""What :meth:`GraphStore.datasets` calls the content of a graph that has no Run node."""


def read_run_folder(run_dir: Path) -> Run:
    """A run folder, read for loading (its run_id set).

    Raises:
        GraphStoreError: not a run folder.
    """
    try:
        return read_run(Path(run_dir))
    except LinkageError as exc:
        raise GraphStoreError(str(exc)) from exc


def dataset_name(run: Run, given: str | None = None) -> str:
    """The dataset a run belongs to: ``given``, else its input folder as run.json has it.

    Runs of one dataset (the same logs, or later logs of the same source) update the
    graph in place; a run of another dataset replaces the graph.

    >>> dataset_name(Run.__new__(Run), "prod")
    'prod'
    """
    if given is not None:
        if not given.strip():
            raise GraphStoreError("the dataset name is empty: give a name, or leave it out")
        return given.strip()
    info = run.info if isinstance(run.info, dict) else {}
    source = info.get("input")
    if source:
        return os.path.normpath(str(source))
    return str(run.run_id)


def run_properties(run: Run, dataset: str) -> dict[str, Any]:
    """The Run node's properties (``load_run_begin``; ``complete`` is set at the end)."""
    info = run.info if isinstance(run.info, dict) else {}
    summary = info.get("summary", {})
    summary = summary if isinstance(summary, dict) else {}
    return {
        "run_id": str(run.run_id),
        "dataset": dataset,
        "started_at": info.get("started_at"),
        "input": info.get("input"),
        "engine_version": info.get("engine_version"),
        "accounts": summary.get("accounts"),
        "requests": summary.get("requests"),
        "clusters": summary.get("clusters"),
        "flagged_clusters": summary.get("flagged_clusters"),
    }


# ---------------------------------------------------------------------------------- store


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a host name: not resolved, its address may change
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return bool((mapped or address).is_loopback)


def _refuse_plain_text_off_host(uri: str) -> None:
    """Refuse bolt:// and neo4j:// (and +ssc://, whose certificate nobody checks) to any
    host but this machine: the password and every row would cross the network readable."""
    parts = urlsplit(uri)
    scheme, host = parts.scheme, parts.hostname or ""
    if scheme.endswith("+s") or _is_loopback(host):
        return
    secure = scheme.split("+")[0] + "+s"
    where = f"[{host}]" if ":" in host else host
    port = f":{parts.port}" if parts.port else ""
    raise GraphStoreError(
        f"refusing {scheme}:// to {host}: it is not encrypted with a checked certificate; "
        f"use {secure}://{where}{port} (plain bolt:// and neo4j:// are for 127.0.0.1, ::1 "
        "and localhost only)"
    )


def _first_line(text: str) -> str:
    line = next((part.strip() for part in str(text).splitlines() if part.strip()), "")
    return line if len(line) <= 300 else line[:297] + "..."


def _native(value: Any) -> Any:
    """Driver values as plain Python: neo4j.time values to datetime/date, graph objects to dicts."""
    if isinstance(value, list):
        return [_native(v) for v in value]
    if isinstance(value, dict):
        return {k: _native(v) for k, v in value.items()}
    to_native = getattr(value, "to_native", None)
    if callable(to_native):
        return to_native()
    if isinstance(value, neo4j.graph.Node | neo4j.graph.Relationship):
        return {k: _native(v) for k, v in dict(value).items()}
    return value


def _digest_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_digest_value(v) for v in value]
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    to_native = getattr(value, "iso_format", None)
    if callable(to_native):
        return to_native()
    return value


class _BatchLoader:
    """Sends a table as ``UNWIND $rows`` batches, each in a transaction of its own."""

    def __init__(
        self,
        store: GraphStore,
        run_id: str,
        report: LoadReport,
        batch_size: int,
        workers: int,
        progress: ProgressCallback | None,
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.report = report
        self.batch_size = batch_size
        self.workers = workers
        self.progress = progress

    def send(self, step: str, query: str, rows: Table, parallel: bool = False) -> None:
        load = self.report.steps.setdefault(step, StepLoad())
        total = load.rows + len(rows)
        began = time.perf_counter()

        def one(start: int) -> int:
            batch = rows.records(start, start + self.batch_size)
            params = {"rows": batch, "run_id": self.run_id}
            self.store._write(query, params, f"loading {step}")
            return len(batch)

        def finish(sent: int) -> None:
            load.rows += sent
            if self.progress is not None:
                self.progress(step, load.rows, total)

        starts = range(0, len(rows), self.batch_size)
        if parallel and self.workers > 1 and len(starts) > 1:
            # batches of distinct keys, so concurrent transactions do not conflict on what
            # they write (lock waits and deadlocks are retried by the driver)
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                pending: set[Future[int]] = set()
                for start in starts:
                    if len(pending) >= self.workers:
                        done, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for future in done:
                            finish(future.result())
                    pending.add(pool.submit(one, start))
                for future in pending:
                    finish(future.result())
        else:
            for start in starts:
                finish(one(start))
        load.seconds += time.perf_counter() - began


class GraphStore:
    """A connection to Neo4j that loads run folders and answers investigator queries.

    Use as a context manager (or call :meth:`close`)::

        with GraphStore() as store:          # the local server of `linkage neo4j start`
            store.apply_schema()
            store.load_run(Path("out/demo"))
            frame = store.run_query("top_clusters", {"limit": 5})

    Args:
        uri, user, password: where and how to connect; each defaults to
            :func:`linkage.graphdb.server.connection_settings` (``.neo4j/password``, or the
            LINKAGE_NEO4J_URI/USER/PASSWORD environment variables).
        database: the database to use (Community has one: ``neo4j``).
        retry_seconds: how long a write is retried after a transient failure (a lost
            connection included) before it fails.

    Raises:
        GraphStoreError: (on first use) wrong password, no server at ``uri``, bad URI.
    """

    def __init__(
        self,
        uri: str | None = None,
        user: str | None = None,
        password: str | None = None,
        *,
        database: str = "neo4j",
        retry_seconds: float = 15.0,
        connect_timeout: float = 10.0,
    ) -> None:
        if uri is None or user is None or password is None:
            default_uri, default_user, default_password = neo4j_server.connection_settings()
            uri = uri or default_uri
            user = user or default_user
            password = default_password if password is None else password
        self.uri = uri
        self.user = user
        self.database = database
        self._connected = False
        if not _URI.fullmatch(uri):
            raise GraphStoreError(
                f"cannot use Neo4j URI {uri!r}: expected bolt://HOST:PORT or neo4j://HOST:PORT "
                "(e.g. bolt://127.0.0.1:7687)"
            )
        _refuse_plain_text_off_host(uri)
        try:
            self._driver = neo4j.GraphDatabase.driver(
                uri,
                auth=(user, password),
                connection_timeout=connect_timeout,
                connection_acquisition_timeout=connect_timeout + 5.0,
                max_transaction_retry_time=retry_seconds,
                notifications_min_severity="OFF",
                user_agent="linkage",
            )
        except (neo4j_errors.ConfigurationError, ValueError) as exc:
            raise GraphStoreError(
                f"cannot use Neo4j URI {uri!r}: {_first_line(str(exc))} "
                "(expected e.g. bolt://127.0.0.1:7687)"
            ) from exc

    # -- connection -------------------------------------------------------------------

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the driver and its connections."""
        self._driver.close()

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Driver exceptions to one-line GraphStoreErrors that say what to do."""
        try:
            yield
        except neo4j_errors.AuthError as exc:
            raise GraphStoreError(
                f"Neo4j at {self.uri} refused the password for user {self.user!r}: "
                f"check {neo4j_server.state_dir() / 'password'} or LINKAGE_NEO4J_PASSWORD"
            ) from exc
        except (
            neo4j_errors.ServiceUnavailable,
            neo4j_errors.SessionExpired,
            neo4j_errors.DatabaseUnavailable,  # a server starting up or shutting down
            neo4j_errors.ConnectionAcquisitionTimeoutError,
        ) as exc:
            if self._connected:
                raise GraphStoreError(
                    f"lost the connection to Neo4j at {self.uri} while {doing}: "
                    "start it with `linkage neo4j start` and try again "
                    "(loading a run again is safe)"
                ) from exc
            raise GraphStoreError(
                f"no Neo4j at {self.uri}: start it with `linkage neo4j start`"
            ) from exc
        except neo4j_errors.Neo4jError as exc:
            code = exc.code or "error"
            raise GraphStoreError(
                f"Neo4j failed while {doing}: {code}: {_first_line(exc.message or str(exc))}"
            ) from exc
        except neo4j_errors.DriverError as exc:
            raise GraphStoreError(
                f"Neo4j driver error while {doing} ({self.uri}): {_first_line(str(exc))}"
            ) from exc
        except OSError as exc:
            raise GraphStoreError(
                f"cannot reach Neo4j at {self.uri} while {doing}: {exc}; "
                "start it with `linkage neo4j start`"
            ) from exc

    def verify(self) -> None:
        """Check that the server answers and accepts the credentials.

        Raises:
            GraphStoreError: wrong password, no server, unusable URI.
        """
        if self._connected:
            return
        with self._errors("connecting"):
            self._driver.verify_connectivity()
        self._connected = True

    def _write(self, query: str, params: dict[str, Any], doing: str) -> None:
        self.verify()
        with (
            self._errors(doing),
            self._driver.session(database=self.database) as session,
        ):
            session.execute_write(lambda tx: tx.run(query, params).consume())

    def _auto_commit(self, query: str, params: dict[str, Any], doing: str) -> None:
        """For statements that manage their own transactions (CALL ... IN TRANSACTIONS)."""
        self.verify()
        with (
            self._errors(doing),
            self._driver.session(database=self.database) as session,
        ):
            session.run(query, params).consume()

    def _read(self, query: str, params: dict[str, Any], doing: str) -> pd.DataFrame:
        self.verify()
        with self._errors(doing):
            # No bookmarks: the writes run in sessions of their own (committed before any
            # read starts), and the bookmark of an earlier read would make every read wait
            # for a transaction id that a database rebuilt by a bulk import never reaches.
            records, _, keys = self._driver.execute_query(
                query,
                params,
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
                bookmark_manager_=None,
            )
        return pd.DataFrame([[_native(r[k]) for k in keys] for r in records], columns=keys)

    # -- schema and housekeeping ------------------------------------------------------

    def apply_schema(self) -> None:
        """Create the constraints and indexes of ``cypher/schema.cypher`` (idempotent)."""
        for statement in _statements(cypher("schema")):
            self._auto_commit(statement, {}, "applying the schema")
        self._auto_commit(cypher("admin_await_indexes"), {}, "waiting for indexes")

    def clear(self) -> None:
        """Delete every node and relationship of the database (constraints stay)."""
        self._auto_commit(cypher("admin_clear_relationships"), {}, "clearing the database")
        self._auto_commit(cypher("admin_clear"), {}, "clearing the database")

    def counts(self) -> dict[str, int]:
        """Nodes per label (``:Label``) and relationships per type (``[TYPE]``)."""
        nodes = self._read(cypher("admin_count_nodes"), {}, "counting nodes")
        rels = self._read(cypher("admin_count_relationships"), {}, "counting relationships")
        counts = {f":{row.label}": int(row.n) for row in nodes.itertuples()}
        counts.update({f"[{row.type}]": int(row.n) for row in rels.itertuples()})
        return dict(sorted(counts.items()))

    def memberships(self) -> pd.DataFrame:
        """The clusters in the graph, one row per member, as clusters.csv has them."""
        return self._read(cypher("admin_memberships"), {}, "reading cluster memberships")

    def checksum(self) -> str:
        """A digest of the whole graph's content: labels, properties, relationships.

        Independent of internal ids and of the order things were loaded in, so two
        loads that produce the same graph give the same checksum.
        """
        self.verify()
        node_digest: dict[str, str] = {}
        items: list[str] = []
        with (
            self._errors("computing a checksum"),
            self._driver.session(database=self.database) as session,
        ):
            for record in session.run(cypher("admin_checksum_nodes")):
                text = json.dumps(
                    [sorted(record["labels"]), _digest_props(record["props"])], sort_keys=True
                )
                digest = hashlib.sha256(text.encode()).hexdigest()
                node_digest[record["id"]] = digest
                items.append("n" + digest)
            for record in session.run(cypher("admin_checksum_relationships")):
                text = json.dumps(
                    [
                        record["type"],
                        node_digest[record["start"]],
                        node_digest[record["end"]],
                        _digest_props(record["props"]),
                    ],
                    sort_keys=True,
                )
                items.append("r" + hashlib.sha256(text.encode()).hexdigest())
        total = hashlib.sha256()
        for item in sorted(items):
            total.update(item.encode())
        return total.hexdigest()

    # -- loading ----------------------------------------------------------------------

    def load_run(
        self,
        run_dir: Path,
        batch_size: int = 10_000,
        progress: ProgressCallback | None = None,
        *,
        min_link_strength: float | None = None,
        workers: int = 2,
        dataset: str | None = None,
        replace: bool = False,
    ) -> LoadReport:
        """Load a run folder's graph and results (idempotent; see the module docstring).

        Applies the schema first. The graph holds one dataset: if it holds another one
        (or ``replace``), everything in it is deleted first. Sends ``UNWIND $rows``
        batches of ``batch_size`` rows, each in a transaction of its own, and calls
        ``progress(step, done, total)`` after each. A load that breaks off leaves a
        partial graph (its Run node says ``complete: false``); loading the run again
        completes it.

        Args:
            run_dir: a run folder written by ``linkage run``.
            batch_size: rows per transaction.
            progress: called as ``progress(step, rows_done, rows_total)`` after each batch.
            min_link_strength: links weaker than this are not loaded; None (the default)
                means the run's own ``min_link_strength``, the links clustering used.
                Weaker links are what the shared attributes in the graph already show
                (a large run has tens of links per account for each one clustering used);
                0 loads them all.
            workers: batches of the large steps sent at once (the client packs one while
                the server writes another).
            dataset: the dataset's name; default: the run's input folder (run.json).
            replace: empty the graph first even if it holds this same dataset.

        Raises:
            GraphStoreError: not a run folder, or Neo4j failed (wrong password, server
                down or lost during the load, ...).
        """
        if batch_size < 1:
            raise GraphStoreError(f"batch_size must be at least 1, got {batch_size}")
        run = read_run_folder(run_dir)
        self.verify()
        self.apply_schema()
        run_id = str(run.run_id)
        name = dataset_name(run, dataset)
        report = LoadReport(run_id=run_id, run_dir=Path(run_dir), dataset=name)
        started = time.perf_counter()
        held = self.datasets()
        if held and (replace or held != [name]):
            # another dataset's accounts would share IPs, cards and ids with this one's
            self.clear()
            report.replaced = held
            report.steps["clear"] = StepLoad(rows=0, seconds=time.perf_counter() - started)
        self._begin_run(run, run_id, name)
        loader = _BatchLoader(self, run_id, report, batch_size, workers, progress)
        self._load_graph(run, loader, min_link_strength)
        began = time.perf_counter()
        self._prune(run_id)
        report.steps["prune"] = StepLoad(rows=0, seconds=time.perf_counter() - began)
        self._write(cypher("load_run_end"), {"run_id": run_id}, "finishing the load")
        report.seconds = time.perf_counter() - started
        return report

    def datasets(self) -> list[str]:
        """The datasets the graph holds (sorted; normally one, none if it is empty).

        A graph with nodes but no Run node (a load cut short before it began, or data
        put there by other means) holds the dataset ``"(unknown)"``.
        """
        found = self._read(cypher("admin_datasets"), {}, "reading the datasets")
        row = found.iloc[0]
        names = sorted(str(name) for name in row["datasets"])
        if not names and bool(row["has_nodes"]):
            names = [UNKNOWN_DATASET]
        return names

    def _begin_run(self, run: Run, run_id: str, dataset: str) -> None:
        self._write(cypher("load_run_begin"), run_properties(run, dataset), "starting the load")

    def _load_graph(self, run: Run, loader: _BatchLoader, min_link_strength: float | None) -> None:
        """Every node and relationship of the run, in an order that MATCHes what it needs."""
        send = loader.send
        send("accounts", cypher("load_accounts"), tables.account_rows(run), parallel=True)
        send("ip_intel", cypher("load_networks"), tables.intel_rows(run))
        kinds = list(tables.attribute_kinds(run))
        for kind, held in kinds:
            send(
                "attribute nodes",
                cypher_template("load_attribute_nodes", LABEL=kind.graph_label, KEY=kind.graph_key),
                tables.attribute_node_rows(run, kind.name, held),
                parallel=True,
            )
        send("ip networks", cypher("load_ip_networks"), tables.ip_network_rows(run))
        send("payments", cypher("load_payment_methods"), tables.payment_rows(run))
        for kind, held in kinds:
            template = cypher_template(
                "load_attribute_edges",
                LABEL=kind.graph_label,
                KEY=kind.graph_key,
                REL=kind.graph_relationship,
            )
            send("account_attributes", template, tables.attribute_edge_rows(held), True)
        links = tables.link_rows(run, min_link_strength)
        send("links", cypher("load_links"), links, parallel=True)
        send("indicators", cypher("load_indicators"), tables.indicator_rows(run))
        send("indicator_matches", cypher("load_indicator_matches"), tables.match_rows(run))
        send("clusters", cypher("load_clusters"), tables.cluster_rows(run))
        send("memberships", cypher("load_memberships"), tables.membership_rows(run))

    def _prune(self, run_id: str) -> None:
        """Remove what an earlier run left and this one replaces (see the module docstring)."""
        self._auto_commit(cypher("load_prune_memberships"), {"run_id": run_id}, "pruning")
        self._auto_commit(cypher("load_prune_clusters"), {"run_id": run_id}, "pruning")
        others = self._read(cypher("admin_other_runs"), {"run_id": run_id}, "pruning")
        if int(others["n"].iloc[0]) > 0:
            self._auto_commit(cypher("load_prune_account_edges"), {"run_id": run_id}, "pruning")

    # -- queries ----------------------------------------------------------------------

    def run_query(self, name: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Run investigator query ``cypher/queries/NAME.cypher``; one row per result record.

        ``params`` may hold strings (as typed on the command line): they are converted to
        the types the query's header declares, and defaults are filled in.

        Raises:
            GraphStoreError: unknown query or parameter, bad value, Neo4j failure.
        """
        values = coerce_params(name, params)
        return self._read(cypher(name), values, f"running query {name}")


def _digest_props(props: dict[str, Any]) -> dict[str, Any]:
    return {key: _digest_value(value) for key, value in props.items()}
