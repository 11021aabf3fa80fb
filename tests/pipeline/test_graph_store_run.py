"""The graph store's database-free parts on a run the job made: dataset names and the bulk graph.

Split from ``tests/unit/test_graph_store_unit.py``: these two tests need ``flagged_run`` (a
small generated dataset run through the job), so they live with the pipeline tests.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from linkage.errors import GraphStoreError
from linkage.graphdb import bulk, tables
from linkage.graphdb import store as graph_store
from linkage.jobs import write_run_folder as write_run
from linkage.run_model import Run


def test_a_run_belongs_to_the_dataset_of_its_input_folder(flagged_run: Run) -> None:
    run = replace(flagged_run, info={"input": "data/generated//sample/"}, run_id="run-1")
    assert graph_store.dataset_name(run) == "data/generated/sample"
    assert graph_store.dataset_name(run, " prod ") == "prod"
    assert graph_store.dataset_name(replace(run, info={})) == "run-1"
    with pytest.raises(GraphStoreError, match="dataset name is empty"):
        graph_store.dataset_name(run, "")
    properties = graph_store.run_properties(run, "prod")
    assert properties["dataset"] == "prod" and properties["run_id"] == "run-1"


def test_the_bulk_graph_is_the_run_the_bolt_loader_sends(flagged_run: Run, tmp_path: Path) -> None:
    write_run(flagged_run, tmp_path / "run")
    run = graph_store.read_run_folder(tmp_path / "run")
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
