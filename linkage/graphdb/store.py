"""The graph store: a run folder's account graph in Neo4j, and the investigator queries.

This is the only module that imports the ``neo4j`` driver: :class:`Neo4jRunner` is the
driver boundary, the :class:`~linkage.graphdb.queries.QueryRunner` that runs statements
on a server and turns driver errors into one-line :class:`GraphStoreError` s.
:class:`GraphStore` takes any runner, so that a test can record what a load sends.
Every statement is read from ``cypher/`` by name (:mod:`linkage.graphdb.queries`);
values always travel as ``$parameters``.

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
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import neo4j
import pandas as pd
from neo4j import exceptions as neo4j_errors

from linkage.errors import GraphStoreError
from linkage.graphdb import home, tables
from linkage.graphdb.loading import (
    UNKNOWN_DATASET,
    BatchLoader,
    LoadReport,
    ProgressCallback,
    StepLoad,
    dataset_name,
    read_run_folder,
    run_properties,
)
from linkage.graphdb.queries import Query, QueryRunner, coerce_params, query, schema_queries
from linkage.run_model import Run

__all__ = ["GraphStore", "LoadReport", "Neo4jRunner"]

# A misconfigured or unreachable server makes the driver log warnings of its own; the
# errors reach the caller as GraphStoreError, so keep the driver quiet unless the
# application configures logging itself.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

_URI = re.compile(r"(bolt|neo4j)(\+s|\+ssc)?://[^\s/]+(:\d+)?/?")


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


def _digest_props(props: dict[str, Any]) -> dict[str, Any]:
    return {key: _digest_value(value) for key, value in props.items()}


# ------------------------------------------------------------------------ driver boundary


class Neo4jRunner:
    """The :class:`~linkage.graphdb.queries.QueryRunner` on a Neo4j server (the driver).

    Args:
        uri, user, password: where and how to connect.
        database: the database to use (Community has one: ``neo4j``).
        retry_seconds: how long a write is retried after a transient failure (a lost
            connection included) before it fails.
        connect_timeout: how long to wait for a connection.

    Raises:
        GraphStoreError: an unusable URI, or plain text to another machine.
    """

    def __init__(
        self,
        uri: str,
        user: str,
        password: str,
        *,
        database: str = "neo4j",
        retry_seconds: float = 15.0,
        connect_timeout: float = 10.0,
    ) -> None:
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
                f"check {home.state_dir() / 'password'} or LINKAGE_NEO4J_PASSWORD"
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

    def write(self, query: Query, params: Mapping[str, Any], doing: str) -> None:
        """A write in a managed transaction (the driver retries transient failures)."""
        self.verify()
        with (
            self._errors(doing),
            self._driver.session(database=self.database) as session,
        ):
            session.execute_write(lambda tx: tx.run(query.text, dict(params)).consume())

    def auto_commit(self, query: Query, params: Mapping[str, Any], doing: str) -> None:
        """For statements that manage their own transactions (CALL ... IN TRANSACTIONS)."""
        self.verify()
        with (
            self._errors(doing),
            self._driver.session(database=self.database) as session,
        ):
            session.run(query.text, dict(params)).consume()

    def read(self, query: Query, params: Mapping[str, Any], doing: str) -> pd.DataFrame:
        """A read, one row per record, driver values as plain Python."""
        self.verify()
        with self._errors(doing):
            # No bookmarks: the writes run in sessions of their own (committed before any
            # read starts), and the bookmark of an earlier read would make every read wait
            # for a transaction id that a database rebuilt by a bulk import never reaches.
            records, _, keys = self._driver.execute_query(
                query.text,
                dict(params),
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
                bookmark_manager_=None,
            )
        return pd.DataFrame([[_native(r[k]) for k in keys] for r in records], columns=keys)

    def stream(
        self, query: Query, params: Mapping[str, Any], doing: str
    ) -> Iterator[Mapping[str, Any]]:
        """A read whose records are handed out one by one, as the server sends them."""
        self.verify()
        with (
            self._errors(doing),
            self._driver.session(database=self.database) as session,
        ):
            yield from session.run(query.text, dict(params))


# ---------------------------------------------------------------------------------- store


class GraphStore:
    """A connection to Neo4j that loads run folders and answers investigator queries.

    Use as a context manager (or call :meth:`close`)::

        with GraphStore() as store:          # the local server of `linkage neo4j start`
            store.apply_schema()
            store.load_run(Path("out/demo"))
            frame = store.run_query("top_clusters", {"limit": 5})

    Args:
        uri, user, password: where and how to connect; each defaults to
            :func:`linkage.graphdb.home.connection_settings` (``.neo4j/password``, or the
            LINKAGE_NEO4J_URI/USER/PASSWORD environment variables).
        database: the database to use (Community has one: ``neo4j``).
        retry_seconds: how long a write is retried after a transient failure (a lost
            connection included) before it fails.
        connect_timeout: how long to wait for a connection.
        runner: what runs the statements instead of a :class:`Neo4jRunner` on ``uri``
            (a test's recorder); the connection arguments are then not used.

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
        runner: QueryRunner | None = None,
    ) -> None:
        if runner is not None:
            self.uri, self.user = uri or "", user or ""
            self._runner = runner
            return
        if uri is None or user is None or password is None:
            default_uri, default_user, default_password = home.connection_settings()
            uri = uri or default_uri
            user = user or default_user
            password = default_password if password is None else password
        self.uri, self.user = uri, user
        self._runner = Neo4jRunner(
            uri,
            user,
            password,
            database=database,
            retry_seconds=retry_seconds,
            connect_timeout=connect_timeout,
        )

    # -- connection -------------------------------------------------------------------

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._runner.close()

    def verify(self) -> None:
        """Check that the server answers and accepts the credentials.

        Raises:
            GraphStoreError: wrong password, no server, unusable URI.
        """
        self._runner.verify()

    # -- schema and housekeeping ------------------------------------------------------

    def apply_schema(self) -> None:
        """Create the constraints and indexes of ``cypher/schema.cypher`` (idempotent)."""
        for statement in schema_queries():
            self._runner.auto_commit(statement, {}, "applying the schema")
        self._runner.auto_commit(query("admin_await_indexes"), {}, "waiting for indexes")

    def clear(self) -> None:
        """Delete every node and relationship of the database (constraints stay)."""
        clearing = "clearing the database"
        self._runner.auto_commit(query("admin_clear_relationships"), {}, clearing)
        self._runner.auto_commit(query("admin_clear"), {}, clearing)

    def counts(self) -> dict[str, int]:
        """Nodes per label (``:Label``) and relationships per type (``[TYPE]``)."""
        nodes = self._runner.read(query("admin_count_nodes"), {}, "counting nodes")
        rels = self._runner.read(query("admin_count_relationships"), {}, "counting relationships")
        counts = {f":{row.label}": int(row.n) for row in nodes.itertuples()}
        counts.update({f"[{row.type}]": int(row.n) for row in rels.itertuples()})
        return dict(sorted(counts.items()))

    def memberships(self) -> pd.DataFrame:
        """The clusters in the graph, one row per member, as clusters.csv has them."""
        return self._runner.read(query("admin_memberships"), {}, "reading cluster memberships")

    def checksum(self) -> str:
        """A digest of the whole graph's content: labels, properties, relationships.

        Independent of internal ids and of the order things were loaded in, so two
        loads that produce the same graph give the same checksum.
        """
        doing = "computing a checksum"
        node_digest: dict[str, str] = {}
        items: list[str] = []
        for record in self._runner.stream(query("admin_checksum_nodes"), {}, doing):
            text = json.dumps(
                [sorted(record["labels"]), _digest_props(record["props"])], sort_keys=True
            )
            digest = hashlib.sha256(text.encode()).hexdigest()
            node_digest[record["id"]] = digest
            items.append("n" + digest)
        for record in self._runner.stream(query("admin_checksum_relationships"), {}, doing):
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
        self._runner.verify()
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
        loader = BatchLoader(self._runner, run_id, report, batch_size, workers, progress)
        self._load_graph(run, loader, min_link_strength)
        began = time.perf_counter()
        self._prune(run_id)
        report.steps["prune"] = StepLoad(rows=0, seconds=time.perf_counter() - began)
        self._runner.write(query("load_run_end"), {"run_id": run_id}, "finishing the load")
        report.seconds = time.perf_counter() - started
        return report

    def datasets(self) -> list[str]:
        """The datasets the graph holds (sorted; normally one, none if it is empty).

        A graph with nodes but no Run node (a load cut short before it began, or data
        put there by other means) holds the dataset ``"(unknown)"``.
        """
        found = self._runner.read(query("admin_datasets"), {}, "reading the datasets")
        row = found.iloc[0]
        names = sorted(str(name) for name in row["datasets"])
        if not names and bool(row["has_nodes"]):
            names = [UNKNOWN_DATASET]
        return names

    def _begin_run(self, run: Run, run_id: str, dataset: str) -> None:
        self._runner.write(
            query("load_run_begin"), run_properties(run, dataset), "starting the load"
        )

    def _load_graph(self, run: Run, loader: BatchLoader, min_link_strength: float | None) -> None:
        """Every node and relationship of the run, in an order that MATCHes what it needs."""
        send = loader.send
        send("accounts", query("load_accounts"), tables.account_rows(run), parallel=True)
        send("ip_intel", query("load_networks"), tables.intel_rows(run))
        kinds = list(tables.attribute_kinds(run))
        for kind, held in kinds:
            send(
                "attribute nodes",
                query("load_attribute_nodes", LABEL=kind.graph_label, KEY=kind.graph_key),
                tables.attribute_node_rows(run, kind.name, held),
                parallel=True,
            )
        send("ip networks", query("load_ip_networks"), tables.ip_network_rows(run))
        send("payments", query("load_payment_methods"), tables.payment_rows(run))
        for kind, held in kinds:
            template = query(
                "load_attribute_edges",
                LABEL=kind.graph_label,
                KEY=kind.graph_key,
                REL=kind.graph_relationship,
            )
            send("account_attributes", template, tables.attribute_edge_rows(held), True)
        links = tables.link_rows(run, min_link_strength)
        send("links", query("load_links"), links, parallel=True)
        send("indicators", query("load_indicators"), tables.indicator_rows(run))
        send("indicator_matches", query("load_indicator_matches"), tables.match_rows(run))
        send("clusters", query("load_clusters"), tables.cluster_rows(run))
        send("memberships", query("load_memberships"), tables.membership_rows(run))

    def _prune(self, run_id: str) -> None:
        """Remove what an earlier run left and this one replaces (see the module docstring)."""
        self._runner.auto_commit(query("load_prune_memberships"), {"run_id": run_id}, "pruning")
        self._runner.auto_commit(query("load_prune_clusters"), {"run_id": run_id}, "pruning")
        others = self._runner.read(query("admin_other_runs"), {"run_id": run_id}, "pruning")
        if int(others["n"].iloc[0]) > 0:
            self._runner.auto_commit(
                query("load_prune_account_edges"), {"run_id": run_id}, "pruning"
            )

    # -- queries ----------------------------------------------------------------------

    def run_query(self, name: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Run investigator query ``cypher/queries/NAME.cypher``; one row per result record.

        ``params`` may hold strings (as typed on the command line): they are converted to
        the types the query's header declares, and defaults are filled in.

        Raises:
            GraphStoreError: unknown query or parameter, bad value, Neo4j failure.
        """
        values = coerce_params(name, params)
        return self._runner.read(query(name), values, f"running query {name}")
