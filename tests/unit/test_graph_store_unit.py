"""The graph store without a database: Cypher files, query headers, parameters, rules."""

from __future__ import annotations

import ast
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from linkage.cli import app
from linkage.errors import GraphStoreError
from linkage.graphdb import bulk, bulk_csv, tables
from linkage.graphdb.queries import (
    CYPHER_DIR,
    Query,
    coerce_params,
    cypher,
    cypher_template,
    list_queries,
    query_info,
    statements,
)
from linkage.graphdb.store import GraphStore
from linkage.kinds import ATTRIBUTE_KINDS

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ("cluster_members", "accounts_behind", "evidence_path", "missed_heads")
QUERIES += ("cluster_timeline", "top_clusters")
LOAD_FILES = sorted(CYPHER_DIR.glob("load_*.cypher"))
QUERY_FILES = sorted((CYPHER_DIR / "queries").glob("*.cypher"))


def _code(text: str) -> str:
    """A Cypher file without its // comment lines."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))


def test_every_investigator_query_exists_and_loads() -> None:
    names = [info.name for info in list_queries()]
    assert sorted(names) == sorted(QUERIES)
    for name in QUERIES:
        text = cypher(name)
        assert text.startswith(f"// {name}: ")
        assert "RETURN" in _code(text)


def test_every_query_header_declares_exactly_the_parameters_it_uses() -> None:
    for path in QUERY_FILES:
        info = query_info(path.stem)
        assert info.summary and info.description, path
        declared = {param.name for param in info.params}
        used = set(re.findall(r"\$([A-Za-z_]\w*)", _code(path.read_text())))
        assert used == declared, path
        for param in info.params:
            assert param.help, f"{path}: @param {param.name} has no help text"


def test_load_files_take_values_as_parameters_only() -> None:
    assert LOAD_FILES
    for path in LOAD_FILES:
        code = _code(path.read_text())
        assert "$" in code, f"{path} takes no $parameters"
        # no literal values: quoted strings and numbers other than batch sizes
        assert not re.search(r"'[^']*'|\"[^\"]*\"", code), f"{path} has a string literal"
        if "UNWIND" in code:
            assert "UNWIND $rows AS row" in code, path


def test_every_cypher_file_starts_with_a_comment() -> None:
    for path in sorted(CYPHER_DIR.rglob("*.cypher")):
        assert path.read_text().startswith("// "), path


def test_schema_is_idempotent_and_covers_every_node_key() -> None:
    schema = statements(cypher("schema"))
    assert schema
    for statement in schema:
        assert statement.startswith("CREATE ") and "IF NOT EXISTS" in statement, statement
    text = cypher("schema")
    keys = [(kind.graph_label, kind.graph_key) for kind in ATTRIBUTE_KINDS.values()]
    keys += [("Account", "account_id"), ("ASN", "number"), ("Organization", "name")]
    keys += [("Cluster", "cluster_id"), ("Run", "run_id")]
    for label, key in keys:
        assert re.search(rf"FOR \(n:{label}\) REQUIRE n\.{key} IS UNIQUE", text), label
    assert "FOR (n:Indicator) REQUIRE (n.type, n.value) IS UNIQUE" in text


def test_templates_fill_only_allow_listed_identifiers() -> None:
    text = cypher_template("load_attribute_edges", LABEL="IP", KEY="address", REL="USED_IP")
    assert "MATCH (x:IP {address: row.value})" in text
    assert "MERGE (a)-[r:USED_IP]->(x)" in text
    assert "__" not in text
    with pytest.raises(GraphStoreError, match="not an allowed value"):
        cypher_template("load_attribute_nodes", LABEL="IP) DETACH DELETE (x", KEY="address")
    with pytest.raises(GraphStoreError, match="not an allowed value"):
        cypher_template("load_attribute_nodes", LABEL="Account", KEY="address")
    with pytest.raises(GraphStoreError, match="unfilled"):
        cypher_template("load_attribute_nodes", LABEL="IP")
    with pytest.raises(GraphStoreError, match="unknown placeholder"):
        cypher_template("load_attribute_nodes", LABEL="IP", KEY="address", VALUE="x")


def test_cypher_names_are_plain_identifiers() -> None:
    for bad in ("../schema", "schema.cypher", "Top_Clusters", ""):
        with pytest.raises(GraphStoreError):
            cypher(bad)
    with pytest.raises(GraphStoreError, match="queries: accounts_behind"):
        cypher("no_such_query")
    with pytest.raises(GraphStoreError, match="the queries are"):
        query_info("no_such_query")


def test_parameters_are_converted_to_the_declared_types() -> None:
    assert coerce_params("top_clusters", {}) == {"limit": 20, "flagged_only": False}
    assert coerce_params("top_clusters", {"limit": "3", "flagged_only": "true"}) == {
        "limit": 3,
        "flagged_only": True,
    }
    assert coerce_params("missed_heads", {"min_evidence": "0.25"})["min_evidence"] == 0.25
    assert coerce_params("missed_heads", {"min_evidence": 1})["min_evidence"] == 1.0
    assert coerce_params("missed_heads", {})["cluster_id"] == ""
    assert coerce_params("cluster_members", {"cluster_id": "HC-1"}) == {"cluster_id": "HC-1"}


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("cluster_members", {}, "needs --param cluster_id="),
        ("top_clusters", {"limt": "3"}, "has no parameter limt"),
        ("top_clusters", {"limit": "three"}, "is not an integer"),
        ("missed_heads", {"min_evidence": "high"}, "is not a number"),
        ("top_clusters", {"flagged_only": "maybe"}, "is not a boolean"),
        ("top_clusters", {"limit": True}, "expected integer"),
    ],
)
def test_bad_parameters_are_one_line_errors(name: str, params: dict, message: str) -> None:
    with pytest.raises(GraphStoreError, match=message) as caught:
        coerce_params(name, params)
    assert "\n" not in str(caught.value)


def _python_files() -> list[Path]:
    return sorted((ROOT / "linkage").rglob("*.py")) + sorted((ROOT / "bench").glob("*.py"))


def test_only_graph_store_imports_the_neo4j_driver() -> None:
    importers = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(name == "neo4j" or name.startswith("neo4j.") for name in names):
                importers.append(path.relative_to(ROOT).as_posix())
    assert sorted(set(importers)) == ["linkage/graphdb/store.py"]


@pytest.mark.parametrize("module", ["store", "queries", "loading"])
def test_no_cypher_is_built_in_python(module: str) -> None:
    """Statements reach the driver only as text read from cypher/, never as Python strings."""
    tree = ast.parse((ROOT / "linkage" / "graphdb" / f"{module}.py").read_text(encoding="utf-8"))
    cypher_like = re.compile(
        r"\b(MATCH|MERGE|CREATE|UNWIND)\s*[(\$]|\bRETURN\s+\w+\.|\bDETACH DELETE\b|\bSET \w+\."
    )
    docstrings = {
        id(body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and (body := node.body)
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            assert not cypher_like.search(text), f"f-string with Cypher at line {node.lineno}"
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            assert not cypher_like.search(node.value), f"Cypher text at line {node.lineno}"
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("run", "execute_query")
            and node.args
        ):
            first = node.args[0]
            assert not isinstance(first, ast.Constant | ast.JoinedStr | ast.BinOp), (
                f"{node.func.attr}() with literal text at line {node.lineno}"
            )


def test_a_graph_store_error_reaches_the_shell_as_one_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKAGE_NEO4J_PASSWORD", "x")  # no server is contacted
    result = CliRunner().invoke(app, ["neo4j", "load", str(tmp_path)])
    assert result.exit_code == 1
    assert "is not a run folder" in result.output
    assert "Traceback" not in result.output


def test_an_unreachable_server_is_a_one_line_error() -> None:
    with (
        GraphStore("bolt://127.0.0.1:9", "neo4j", "x", connect_timeout=3) as store,
        pytest.raises(GraphStoreError) as caught,
    ):
        store.verify()
    message = str(caught.value)
    assert message == "no Neo4j at bolt://127.0.0.1:9: start it with `linkage neo4j start`"


def test_a_bad_uri_is_a_one_line_error() -> None:
    with pytest.raises(GraphStoreError, match="cannot use Neo4j URI") as caught:
        GraphStore("http://127.0.0.1:7474", "neo4j", "x")
    with pytest.raises(GraphStoreError, match="cannot use Neo4j URI"):
        GraphStore("127.0.0.1:7687", "neo4j", "x")
    assert "\n" not in str(caught.value)


def test_records_turn_missing_values_to_none_and_times_to_iso_text() -> None:
    frame = pd.DataFrame(
        {
            "a": pd.array(["x", None], dtype="string"),
            "n": pd.array([1, None], dtype="Int64"),
            "f": [0.5, float("nan")],
            "t": pd.to_datetime(["2026-10-01T12:00:00.5Z", None], utc=True),
        }
    )
    assert tables.records(frame) == [
        {"a": "x", "n": 1, "f": 0.5, "t": "2026-10-01T12:00:00.500000Z"},
        {"a": None, "n": None, "f": None, "t": None},
    ]
    assert type(tables.records(frame)[0]["n"]) is int


def test_records_gather_map_columns_into_one_map_per_row() -> None:
    frame = pd.DataFrame({"id": ["a", "b"], "w": [0.5, None], "k": [1, 2]})
    table = tables.Table(frame, {"weights": ("w", "k"), "props": ()})
    assert table.records() == [
        {"id": "a", "weights": {"w": 0.5, "k": 1}, "props": {}},
        {"id": "b", "weights": {"w": None, "k": 2}, "props": {}},
    ]
    assert table.records(1) == table.records()[1:]


def test_not_a_run_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(GraphStoreError, match="is not a run folder"):
        GraphStore(uri="bolt://127.0.0.1:1", user="neo4j", password="x").load_run(tmp_path)


# ------------------------------------------------------------------ unencrypted connections


@pytest.mark.parametrize(
    ("uri", "use"),
    [
        ("bolt://db.example:7687", "bolt+s://db.example:7687"),
        ("neo4j://10.0.0.5", "neo4j+s://10.0.0.5"),
        ("bolt://[2001:db8::1]:7687", "bolt+s://[2001:db8::1]:7687"),
        ("bolt://localhost.example.com:7687", "bolt+s://localhost.example.com:7687"),
        ("bolt+ssc://db.example:7687", "bolt+s://db.example:7687"),
    ],
)
def test_plain_text_bolt_to_another_machine_is_refused(uri: str, use: str) -> None:
    with pytest.raises(GraphStoreError) as caught:
        GraphStore(uri, "neo4j", "secret")
    message = str(caught.value)
    assert "\n" not in message and "secret" not in message
    assert message.startswith("refusing ") and f"use {use} " in message


@pytest.mark.parametrize(
    "uri",
    [
        "bolt://127.0.0.1:7687",
        "bolt://127.8.9.10:7687",
        "neo4j://localhost:7687",
        "bolt://[::1]:7687",
        "bolt://[::ffff:127.0.0.1]:7687",
        "bolt+s://db.example:7687",
        "neo4j+s://10.0.0.5",
    ],
)
def test_loopback_or_encrypted_connections_are_allowed(uri: str) -> None:
    with GraphStore(uri, "neo4j", "secret") as store:  # the driver connects on first use
        assert store.uri == uri


# --------------------------------------------------------------------------------- bulk


def test_bulk_csv_files_keep_types_empty_strings_and_line_breaks(tmp_path: Path) -> None:
    graph = bulk_csv.BulkGraph()
    accounts = pd.DataFrame(
        {
            "_id": ["a1", "a2", "a,3"],
            "account_id": ["a1", "a2", "a,3"],
            "display_name": ['say "hi", ok', "", None],
            "note": ["two\nlines", "x", "y"],
            "created_at": pd.to_datetime(
                ["2026-10-01T12:00:00Z", None, "2026-10-02T00:00:00.25Z"],
                utc=True,
                format="ISO8601",
            ),
            "n": pd.array([1, None, 3], dtype="Int64"),
            "w": [0.1, 1e-05, None],
            "inf": [float("inf"), 2.5, float("-inf")],
            "flag": [True, False, None],
        }
    )
    graph.add_nodes("Account", accounts, ("account_id",))
    links = pd.DataFrame({"_start": ["a1", "a1"], "_end": ["a2", "gone"], "strength": [0.5, 1]})
    graph.add_relationships("LINKED_TO", "Account", "Account", links)
    graph.drop_dangling()  # as the loader's MATCH skips a link to a missing account
    nodes, relationships, multiline = bulk_csv.write_csv_files(graph, tmp_path)
    assert multiline
    assert nodes == [("Account", tmp_path / "nodes_Account.csv")]
    text = nodes[0][1].read_text(encoding="utf-8")
    assert text.split("\n", 1)[0] == (
        ":ID(Account),account_id:string,display_name:string,note:string,"
        "created_at:datetime,n:long,w:double,inf:double,flag:boolean"
    )
    # strings quoted (so "" is an empty string), a missing value an empty field (no
    # property), infinities spelt as Java reads them
    assert text.split("\n", 1)[1] == (
        '"a1","a1","say ""hi"", ok","two\nlines","2026-10-01T12:00:00.000000Z",1,0.1,'
        '"Infinity",true\n'
        '"a2","a2","","x",,,0.00001,"2.5",false\n'
        '"a,3","a,3",,"y","2026-10-02T00:00:00.250000Z",3,,"-Infinity",\n'
    )
    assert relationships[0][1].read_text(encoding="utf-8") == (
        ':START_ID(Account),:END_ID(Account),strength:double\n"a1","a2",0.5\n'
    )


def test_bulk_graph_refuses_what_one_csv_header_cannot_type(tmp_path: Path) -> None:
    graph = bulk_csv.BulkGraph()
    mixed = pd.DataFrame({"_id": ["1", "2"], "key": ["1", "2"], "v": [1, "one"]})
    with pytest.raises(GraphStoreError, match=r"cannot bulk-load :X\.v: its values mix"):
        graph.add_nodes("X", mixed, ("key",))
    graph.add_nodes("X", mixed.drop(columns=["v"]).assign(a=1), ("key",))
    with pytest.raises(GraphStoreError, match="come from two steps"):
        graph.add_nodes("X", mixed.drop(columns=["v"]).assign(a=2), ("key",))


def test_a_bulk_load_is_refused_for_a_server_other_than_the_local_one(tmp_path: Path) -> None:
    with pytest.raises(GraphStoreError, match="is not the local server") as caught:
        bulk.bulk_load(tmp_path, uri="bolt://127.0.0.1:1")
    assert "leave out --bulk" in str(caught.value)


# ---------------------------------------------------------- loading through a fake runner


@dataclass(frozen=True)
class Sent:
    """One statement a store handed to its runner."""

    how: str  # write, auto_commit, read or stream
    query: Query
    params: dict[str, Any]


class RecordingRunner:
    """A QueryRunner that records what it is given and answers reads with canned rows."""

    def __init__(self, answers: Mapping[str, pd.DataFrame] | None = None) -> None:
        self.sent: list[Sent] = []
        self.answers = {
            "admin_datasets": pd.DataFrame({"datasets": [[]], "has_nodes": [False]}),
            "admin_other_runs": pd.DataFrame({"n": [0]}),
            **(answers or {}),
        }
        self._lock = threading.Lock()  # a load sends the batches of large steps at once

    def _record(self, how: str, query: Query, params: Mapping[str, Any]) -> None:
        with self._lock:
            self.sent.append(Sent(how, query, dict(params)))

    def verify(self) -> None:
        pass

    def write(self, query: Query, params: Mapping[str, Any], doing: str) -> None:
        self._record("write", query, params)

    def auto_commit(self, query: Query, params: Mapping[str, Any], doing: str) -> None:
        self._record("auto_commit", query, params)

    def read(self, query: Query, params: Mapping[str, Any], doing: str) -> pd.DataFrame:
        self._record("read", query, params)
        return self.answers[query.name]

    def stream(
        self, query: Query, params: Mapping[str, Any], doing: str
    ) -> Iterator[Mapping[str, Any]]:
        self._record("stream", query, params)
        yield from self.answers[query.name].to_dict("records")

    def close(self) -> None:
        pass

    def names(self) -> list[str]:
        """The statements sent, in order, repeats of one statement in a row as one."""
        names = [sent.query.name for sent in self.sent]
        return [name for i, name in enumerate(names) if i == 0 or names[i - 1] != name]


def test_an_investigator_query_is_sent_by_name_with_typed_parameters() -> None:
    rows = pd.DataFrame({"cluster_id": ["HC-1"], "members": [3]})
    runner = RecordingRunner({"top_clusters": rows})
    frame = GraphStore(runner=runner).run_query("top_clusters", {"limit": "5"})
    assert frame is rows
    (sent,) = runner.sent
    assert (sent.how, sent.query.name) == ("read", "top_clusters")
    assert sent.query.text == cypher("top_clusters") and "5" not in _code(sent.query.text)
    assert sent.params == {"limit": 5, "flagged_only": False}
    with pytest.raises(GraphStoreError, match="has no parameter"):
        GraphStore(runner=runner).run_query("top_clusters", {"limit": "5", "x": "1"})
    assert len(runner.sent) == 1, "a bad parameter is refused before anything is sent"
