"""The graph store's database-free parts on a run the job made: dataset names, the bulk
graph, and a whole load sent through a recording runner (no server).

Split from ``tests/unit/test_graph_store_unit.py``: these tests need ``flagged_run`` (a
small generated dataset run through the job), so they live with the pipeline tests.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from unit.test_graph_store_unit import RecordingRunner

from linkage.errors import GraphStoreError
from linkage.graphdb import bulk, loading, tables
from linkage.graphdb.queries import cypher, statements
from linkage.graphdb.store import GraphStore
from linkage.jobs import write_run_folder as write_run
from linkage.run_model import Run


def test_a_run_belongs_to_the_dataset_of_its_input_folder(flagged_run: Run) -> None:
    run = replace(flagged_run, info={"input": "data/generated//sample/"}, run_id="run-1")
    assert loading.dataset_name(run) == "data/generated/sample"
    assert loading.dataset_name(run, " prod ") == "prod"
    assert loading.dataset_name(replace(run, info={})) == "run-1"
    with pytest.raises(GraphStoreError, match="dataset name is empty"):
        loading.dataset_name(run, "")
    properties = loading.run_properties(run, "prod")
    assert properties["dataset"] == "prod" and properties["run_id"] == "run-1"


def test_the_bulk_graph_is_the_run_the_bolt_loader_sends(flagged_run: Run, tmp_path: Path) -> None:
    write_run(flagged_run, tmp_path / "run")
    run = loading.read_run_folder(tmp_path / "run")
    graph = bulk.build_graph(run, "demo")
    nodes, rels = graph.nodes, graph.relationships
    assert len(nodes["Account"].frame) == len(run.accounts)
    assert len(nodes["Cluster"].frame) == len(run.campaigns)
    assert len(rels["MEMBER_OF"].frame) == len(run.clusters)
    edges = sum(len(rels[kind.graph_relationship].frame) for kind, _ in tables.attribute_kinds(run))
    assert edges == len(run.account_attributes)
    links = run.links[run.links["strength"] >= run.setting("cluster", "min_link_strength")]
    assert len(rels["LINKED_TO"].frame) == len(links)
    for rel_type, entities in rels.items():
        assert entities.frame["_start"].isin(nodes[entities.start].frame["_id"]).all(), rel_type
        assert entities.frame["_end"].isin(nodes[entities.end].frame["_id"]).all(), rel_type
    assert nodes["Account"].types["created_at"] == "datetime"
    assert rels["LINKED_TO"].types["strength"] == "double"
    assert rels["LINKED_TO"].types["shared"] == "long"
    assert nodes["Cluster"].types["flagged"] == "boolean"
    # a /24 subnet that is also an ip_intel block is one node with both sets of properties
    networks = nodes["Network"].frame
    assert {"accounts", "subnet", "intel", "prefix_len"} <= set(networks.columns)
    assert len(networks) == networks["cidr"].nunique()
    (run_node,) = nodes["Run"].frame.to_dict("records")
    assert run_node["dataset"] == "demo" and run_node["complete"] is True
    assert run_node["run_id"] == run.run_id


LOAD_ORDER = [
    "schema",
    "admin_await_indexes",
    "admin_datasets",
    "load_run_begin",
    "load_accounts",
    "load_networks",
    "load_attribute_nodes",
    "load_ip_networks",
    "load_payment_methods",
    "load_attribute_edges",
    "load_links",
    "load_indicators",
    "load_indicator_matches",
    "load_clusters",
    "load_memberships",
    "load_prune_memberships",
    "load_prune_clusters",
    "admin_other_runs",
    "load_run_end",
]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_load_sends_named_queries_in_order_in_batches_with_parameters(
    flagged_run: Run, tmp_path: Path, workers: int
) -> None:
    write_run(flagged_run, tmp_path / "run")
    runner = RecordingRunner()
    account_ids = set(flagged_run.accounts["account_id"].astype(str))
    size = math.ceil(len(account_ids) / 4)  # a few batches per step, not thousands
    report = GraphStore(runner=runner).load_run(tmp_path / "run", batch_size=size, workers=workers)
    run_id = report.run_id  # set when the run folder is read

    names = runner.names()
    assert [name for name in LOAD_ORDER if name in names] == [
        name for i, name in enumerate(names) if name not in names[:i]
    ], "each statement's sends come together, in the loader's order"
    assert set(LOAD_ORDER) - set(names) <= {"load_networks", "load_indicators"}
    assert "admin_clear" not in names and "load_prune_account_edges" not in names
    assert names[-1] == "load_run_end" and report.replaced == []

    # every statement is a catalogue file's text: values never go into the text
    for query in {sent.query for sent in runner.sent}:
        if query.name == "schema":
            assert query.text in statements(cypher("schema"))
        elif "__" not in cypher(query.name):  # not a template: the file as it is
            assert query.text == cypher(query.name)
        assert not any(account in query.text for account in account_ids)

    # loads go as $rows batches of at most batch_size, each with the $run_id
    loads = [sent for sent in runner.sent if sent.query.name.startswith("load_")]
    batches = [sent for sent in loads if "rows" in sent.params]
    assert all(sent.how == "write" and sent.params["run_id"] == run_id for sent in batches)
    assert all(0 < len(sent.params["rows"]) <= size for sent in batches)
    accounts = [sent for sent in batches if sent.query.name == "load_accounts"]
    assert len(accounts) == math.ceil(len(account_ids) / size) > 1
    sent_ids = [row["account_id"] for sent in accounts for row in sent.params["rows"]]
    assert sorted(sent_ids) == sorted(account_ids)
    assert report.steps["accounts"].rows == len(account_ids)
    assert report.rows == sum(len(sent.params["rows"]) for sent in batches)
    (begin,) = [sent for sent in runner.sent if sent.query.name == "load_run_begin"]
    assert begin.params["run_id"] == run_id and begin.params["dataset"] == report.dataset


def test_a_load_of_another_dataset_clears_the_graph_first(flagged_run: Run, tmp_path: Path) -> None:
    write_run(flagged_run, tmp_path / "run")
    held = pd.DataFrame({"datasets": [["other"]], "has_nodes": [True]})
    runner = RecordingRunner({"admin_datasets": held, "admin_other_runs": pd.DataFrame({"n": [1]})})
    report = GraphStore(runner=runner).load_run(tmp_path / "run", dataset="mine")
    names = runner.names()
    assert names.index("admin_clear_relationships") < names.index("admin_clear")
    assert names.index("admin_clear") < names.index("load_run_begin")
    assert report.replaced == ["other"] and report.dataset == "mine"
    # an earlier run was loaded: the accounts' stale relationships are pruned
    assert names[-2:] == ["load_prune_account_edges", "load_run_end"]
