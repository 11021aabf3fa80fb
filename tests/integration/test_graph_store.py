"""The graph store (linkage.graphdb.store) against the real Neo4j server, on generated data.

They run against the suite's own server (``.neo4j-test``, ports 17687/17474; see
``neo4j_test_home.py``), never the user's: `make test` starts it before pytest and stops
it afterwards; run alone, these tests start it themselves (and stop it again). Its
database is cleared and rebuilt freely.
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from linkage.cli import app
from linkage.errors import GraphStoreError
from linkage.graphdb import server as neo4j_server
from linkage.graphdb.bulk import bulk_load
from linkage.graphdb.queries import Query
from linkage.graphdb.server import ServerInfo
from linkage.graphdb.store import GraphStore
from linkage.io.run_folder import read_previous_clusters
from linkage.jobs import run_detection as run_pipeline
from linkage.jobs import write_run_folder as write_run
from linkage.kinds import ATTRIBUTE_KINDS
from linkage.run_model import Run as RunModel
from linkage.settings import Settings
from linkage.synth import generate, write_dataset

pytestmark = pytest.mark.neo4j

SCALE = 0.15
SEED = 11
SHARED_KINDS = ["payment", "ip", "api_key", "email", "billing_name", "template"]


@dataclass
class Run:
    out: Path
    result: RunModel
    settings: Settings

    @property
    def clusters(self) -> pd.DataFrame:
        return pd.read_csv(self.out / "clusters.csv", dtype={"account_id": "str"})

    @property
    def attributes(self) -> pd.DataFrame:
        return self.result.account_attributes

    def strong_links(self) -> int:
        links = self.result.links
        return int((links["strength"] >= self.settings.cluster.min_link_strength).sum())


@dataclass
class Clean:
    """The graph after a clean load of the first run."""

    counts: dict[str, int]
    checksum: str


@pytest.fixture(scope="session")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Run]:
    """A generated dataset and two runs of it: the defaults, then stricter settings."""
    root = tmp_path_factory.mktemp("graph_store")
    data = root / "data"
    write_dataset(generate(scenario="default", seed=SEED, scale=SCALE), data, fmt="parquet")
    first_settings = Settings()
    first = run_pipeline(data, first_settings)
    write_run(first, root / "run1")
    # a later run that sees the same logs differently: clusters split, shrink or go
    second_settings = Settings.from_dict(
        {"cluster": {"min_link_strength": 0.6}, "score": {"flag_threshold": 0.9}}
    )
    second = run_pipeline(data, second_settings, read_previous_clusters(root / "run1"))
    write_run(second, root / "run2")
    return (
        Run(root / "run1", first, first_settings),
        Run(root / "run2", second, second_settings),
    )


@pytest.fixture(scope="session")
def store(server: ServerInfo) -> Iterator[GraphStore]:
    with GraphStore(retry_seconds=5) as opened:
        opened.verify()
        yield opened


@pytest.fixture(scope="session")
def clean(store: GraphStore, runs: tuple[Run, Run]) -> Clean:
    store.clear()
    store.load_run(runs[0].out)
    return Clean(counts=store.counts(), checksum=store.checksum())


def _restore(store: GraphStore, run: Run, clean: Clean) -> None:
    store.clear()
    store.load_run(run.out)
    assert store.checksum() == clean.checksum  # a clean load is deterministic


def _top_flagged(run: Run) -> dict:
    return next(c for c in run.result.campaigns if c["flagged"])


def _holders(run: Run, attr_type: str) -> pd.DataFrame:
    return run.attributes[run.attributes["attr_type"] == attr_type]


# ------------------------------------------------------------------------------ loading


def test_the_graph_holds_the_run(clean: Clean, runs: tuple[Run, Run]) -> None:
    run = runs[0]
    counts = clean.counts
    assert counts[":Account"] == len(run.result.accounts)
    assert counts[":Cluster"] == len(run.result.campaigns)
    assert counts["[MEMBER_OF]"] == len(run.clusters)
    assert counts["[LINKED_TO]"] == run.strong_links()
    assert counts[":Run"] == 1
    attribute_edges = sum(
        counts.get(f"[{t}]", 0)
        for t in (kind.graph_relationship for kind in ATTRIBUTE_KINDS.values())
    )
    assert attribute_edges == len(run.attributes)
    assert counts["[MATCHED]"] == len(
        run.result.indicator_matches.drop_duplicates(
            ["indicator_type", "indicator_value", "account_id", "matched_value"]
        )
    )
    assert counts["[IN_NETWORK]"] >= counts[":IP"]  # every address in its /24 at least


def test_clusters_in_neo4j_equal_the_runs_clusters(
    store: GraphStore, clean: Clean, runs: tuple[Run, Run]
) -> None:
    _assert_same_clusters(store, runs[0])


def _assert_same_clusters(store: GraphStore, run: Run) -> None:
    expected = run.clusters
    graph = store.memberships()
    assert len(graph) == len(expected)
    want = expected.set_index("account_id").sort_index()
    got = graph.set_index("account_id").sort_index()
    assert got.index.tolist() == want.index.tolist()
    assert got["cluster_id"].tolist() == want["cluster_id"].tolist()
    assert got["flagged"].tolist() == want["flagged"].astype(bool).tolist()
    assert np.allclose(got["hydra_score"].astype(float), want["hydra_score"].astype(float))
    assert got["organization"].fillna("").tolist() == want["organization"].fillna("").tolist()


def test_loading_the_same_run_twice_changes_nothing(
    store: GraphStore, clean: Clean, runs: tuple[Run, Run]
) -> None:
    report = store.load_run(runs[0].out)
    assert report.rows > 0 and report.steps["account_attributes"].rows == len(runs[0].attributes)
    assert store.counts() == clean.counts
    assert store.checksum() == clean.checksum


# ------------------------------------------------------------------------------ queries


def test_top_clusters(store: GraphStore, clean: Clean, runs: tuple[Run, Run]) -> None:
    campaigns = runs[0].result.campaigns
    top = store.run_query("top_clusters", {"limit": "5"})
    assert len(top) == min(5, len(campaigns))
    assert top["hydra_score"].tolist() == sorted(top["hydra_score"], reverse=True)
    assert top["cluster_id"].iloc[0] == campaigns[0]["cluster_id"]
    for row in top.itertuples():
        campaign = next(c for c in campaigns if c["cluster_id"] == row.cluster_id)
        assert row.accounts == campaign["account_count"]
        assert row.exchanges == campaign["exchange_count"]
        assert bool(row.flagged) == campaign["flagged"]
    flagged = store.run_query("top_clusters", {"flagged_only": "true", "limit": "1000"})
    assert set(flagged["cluster_id"]) == {c["cluster_id"] for c in campaigns if c["flagged"]}
    assert flagged["flagged"].all()


def test_cluster_members(store: GraphStore, clean: Clean, runs: tuple[Run, Run]) -> None:
    run = runs[0]
    campaign = _top_flagged(run)
    members = store.run_query("cluster_members", {"cluster_id": campaign["cluster_id"]})
    assert sorted(members["account_id"]) == sorted(campaign["accounts"])
    held = run.attributes[run.attributes["account_id"].isin(campaign["accounts"])]
    per_value = held.groupby(["attr_type", "attr_value"])["account_id"].transform("size")
    shared = held[per_value >= 2]
    for row in members.itertuples():
        mine = shared[shared["account_id"] == row.account_id]["attr_type"].value_counts()
        assert row.payment_methods == mine.get("payment", 0)
        assert row.ips == mine.get("ip", 0)
        assert row.networks == mine.get("subnet", 0)
        assert row.templates == mine.get("template", 0)
        total = row.payment_methods + row.ips + row.networks + row.templates + row.other_shared
        assert total == mine.sum()
        assert total >= 1 and row.links >= 1, "every member is tied to the others"
        assert len(row.top_evidence) == min(3, total)
    assert store.run_query("cluster_members", {"cluster_id": "HC-none"}).empty


def test_accounts_behind(store: GraphStore, clean: Clean, runs: tuple[Run, Run]) -> None:
    run = runs[0]
    clusters = run.clusters.set_index("account_id")
    clustered = unclustered = 0
    for attr_type in ("payment", "ip", "subnet", "template"):
        holders = _holders(run, attr_type)
        value = holders["attr_value"].value_counts().index[0]  # the most shared one
        expected = holders.loc[holders["attr_value"] == value]
        behind = store.run_query("accounts_behind", {"value": value, "limit": "10000"})
        assert sorted(behind["account_id"]) == sorted(expected["account_id"]), attr_type
        uses = expected.set_index("account_id")["uses"]
        if attr_type == "subnet":  # a network's use is the sum over its addresses
            for row in behind.itertuples():
                assert row.uses == uses[row.account_id]
        for row in behind.itertuples():
            if row.account_id in clusters.index:
                clustered += 1
                assert row.cluster_id == clusters.loc[row.account_id, "cluster_id"]
                assert row.flagged == bool(clusters.loc[row.account_id, "flagged"])
            else:
                unclustered += 1
                assert pd.isna(row.cluster_id) and row.flagged is False, row.account_id
        assert behind["flagged"].tolist() == sorted(behind["flagged"], reverse=True)
    assert clustered and unclustered, "both kinds of holder were checked"
    # an ASN: the accounts whose requests came from its blocks
    ips = run.result.account_attributes.query("attr_type == 'ip'")
    located = ips.merge(run.result.ip_addresses, left_on="attr_value", right_on="address")
    asn = int(located["asn"].dropna().value_counts().index[0])
    expected_accounts = set(located.loc[located["asn"] == asn, "account_id"])
    behind = store.run_query("accounts_behind", {"value": f"AS{asn}", "limit": "100000"})
    assert set(behind["account_id"]) == expected_accounts
    assert store.run_query("accounts_behind", {"value": "no-such-thing"}).empty


def test_evidence_path(store: GraphStore, clean: Clean, runs: tuple[Run, Run]) -> None:
    run = runs[0]
    campaign = _top_flagged(run)
    a, b = sorted(campaign["accounts"])[:2]
    path = store.run_query("evidence_path", {"account_a": a, "account_b": b})
    assert len(path) >= 1
    assert path["step"].tolist() == list(range(1, len(path) + 1))
    assert path["account_id"].iloc[0] == a and path["with_account"].iloc[-1] == b
    assert path["account_id"].iloc[1:].tolist() == path["with_account"].iloc[:-1].tolist()
    attrs = run.attributes.set_index(["account_id", "attr_value"])
    for row in path.itertuples():
        assert (row.account_id, row.value) in attrs.index
        assert (row.with_account, row.value) in attrs.index
        assert row.holders <= 50
        assert math.isclose(
            row.weight, attrs.loc[(row.account_id, row.value), "contribution"].max()
        )
    # two accounts that share a payment method are one step apart
    payment = _holders(run, "payment")
    shared = payment[payment.groupby("attr_value")["account_id"].transform("size") == 2]
    pair = shared.groupby("attr_value")["account_id"].agg(sorted).iloc[0]
    direct = store.run_query("evidence_path", {"account_a": pair[0], "account_b": pair[1]})
    assert len(direct) == 1
    # no attribute is held by one account only, so with max_holders=1 there is no chain
    assert store.run_query(
        "evidence_path", {"account_a": a, "account_b": b, "max_holders": "1"}
    ).empty


def test_missed_heads(store: GraphStore, clean: Clean, runs: tuple[Run, Run]) -> None:
    run = runs[0]
    clusters = run.clusters
    flagged_accounts = set(clusters.loc[clusters["flagged"], "account_id"])
    missed = store.run_query("missed_heads", {"limit": "100000"})
    assert not missed.empty
    assert not set(missed["account_id"]) & flagged_accounts
    assert missed["evidence"].tolist() == sorted(missed["evidence"], reverse=True)
    attrs = run.attributes[run.attributes["attr_type"].isin(SHARED_KINDS)]
    for row in missed.head(25).itertuples():
        members = clusters.loc[clusters["cluster_id"] == row.touches_cluster, "account_id"]
        theirs = set(attrs.loc[attrs["account_id"].isin(members), "attr_value"])
        mine = attrs[(attrs["account_id"] == row.account_id) & attrs["attr_value"].isin(theirs)]
        assert len(mine) == row.payment_methods + row.ips + row.templates + row.keys_emails_names
        evidence = 1.0 - float(np.prod(1.0 - mine["contribution"].to_numpy()))
        assert math.isclose(row.evidence, round(evidence, 4), abs_tol=1e-4)
        assert row.reading == ("likely missed head" if evidence >= 0.5 else "possible collateral")
    one = missed["touches_cluster"].iloc[0]
    only = store.run_query("missed_heads", {"cluster_id": one, "limit": "100000"})
    assert set(only["touches_cluster"]) == {one}
    assert len(only) == (missed["touches_cluster"] == one).sum()
    strong = store.run_query("missed_heads", {"min_evidence": "0.5", "limit": "100000"})
    assert (strong["evidence"] >= 0.5).all()


def test_cluster_timeline(store: GraphStore, clean: Clean, runs: tuple[Run, Run]) -> None:
    campaign = _top_flagged(runs[0])
    timeline = store.run_query("cluster_timeline", {"cluster_id": campaign["cluster_id"]})
    days = timeline["day"].tolist()
    assert days == sorted(set(days))
    members = campaign["account_count"]
    assert timeline["signups"].sum() == members
    assert timeline["started"].sum() == members == timeline["stopped"].sum()
    assert timeline["active"].max() <= members
    first_request_day = timeline.loc[timeline["started"] > 0, "day"].min()
    last_request_day = timeline.loc[timeline["stopped"] > 0, "day"].max()
    assert first_request_day.isoformat() == campaign["first_activity"][:10]
    assert last_request_day.isoformat() == campaign["last_activity"][:10]
    assert timeline["new_ips"].sum() >= 1


def test_cli_load_and_query(clean: Clean, runs: tuple[Run, Run]) -> None:
    runner = CliRunner()
    loaded = runner.invoke(app, ["neo4j", "load", str(runs[0].out)])
    assert loaded.exit_code == 0, loaded.output
    assert "account_attributes" in loaded.output and "total" in loaded.output
    campaign = _top_flagged(runs[0])
    shown = runner.invoke(
        app,
        ["neo4j", "query", "cluster_members", "--param", f"cluster_id={campaign['cluster_id']}"],
    )
    assert shown.exit_code == 0, shown.output
    assert all(account in shown.output for account in campaign["accounts"])
    listed = runner.invoke(app, ["neo4j", "query"])
    assert listed.exit_code == 0 and "missed_heads" in listed.output
    bad = runner.invoke(app, ["neo4j", "query", "cluster_members"])
    assert bad.exit_code == 1 and "needs --param cluster_id" in bad.output


# ------------------------------------------------------------------- updates and faults


def test_a_later_run_updates_the_clusters_in_place(
    store: GraphStore, clean: Clean, runs: tuple[Run, Run]
) -> None:
    first, second = runs
    before = set(store.memberships()["cluster_id"])
    after_ids = set(second.clusters["cluster_id"])
    assert before != after_ids, "the second run should change the clusters"
    assert before & after_ids, "and keep some ids (stable ids)"
    try:
        store.load_run(second.out)
        _assert_same_clusters(store, second)
        counts = store.counts()
        assert counts[":Cluster"] == len(second.result.campaigns)
        assert counts["[LINKED_TO]"] == second.strong_links()  # the first run's are gone
        assert counts[":Run"] == 2
        store.load_run(first.out)  # and back: the first run is authoritative again
        _assert_same_clusters(store, first)
        assert store.counts()["[LINKED_TO]"] == first.strong_links()
    finally:
        _restore(store, first, clean)


def test_a_wrong_password_is_a_one_line_error(server: ServerInfo) -> None:
    with (
        GraphStore(server.uri, server.user, "not-the-password") as wrong,
        pytest.raises(GraphStoreError) as caught,
    ):
        wrong.verify()
    message = str(caught.value)
    assert "\n" not in message
    assert message == (
        f"Neo4j at {server.uri} refused the password for user 'neo4j': "
        f"check {neo4j_server.state_dir() / 'password'} or LINKAGE_NEO4J_PASSWORD"
    )
    with (
        GraphStore(server.uri, server.user, "not-the-password") as wrong,
        pytest.raises(GraphStoreError, match="refused the password"),
    ):
        wrong.run_query("top_clusters")


def test_an_unreachable_server_is_a_one_line_error(server: ServerInfo) -> None:
    with GraphStore("bolt://127.0.0.1:1", server.user, server.password) as nowhere:
        with pytest.raises(GraphStoreError) as caught:
            nowhere.load_run(Path("/nonexistent"))  # the folder is checked first
        assert "not a run folder" in str(caught.value)
        with pytest.raises(GraphStoreError) as caught:
            nowhere.run_query("top_clusters")
    assert (
        str(caught.value) == "no Neo4j at bolt://127.0.0.1:1: start it with `linkage neo4j start`"
    )


def test_a_load_cut_short_by_the_server_stopping_completes_on_a_second_load(
    store: GraphStore, clean: Clean, runs: tuple[Run, Run]
) -> None:
    run = runs[0]
    store.clear()
    batches: list[tuple[str, int]] = []

    def stop_after_the_second_batch(step: str, done: int, total: int) -> None:
        batches.append((step, done))
        if len(batches) == 2:
            neo4j_server.stop()

    try:
        with GraphStore(retry_seconds=3) as doomed, pytest.raises(GraphStoreError) as caught:
            doomed.load_run(run.out, batch_size=200, progress=stop_after_the_second_batch)
        message = str(caught.value)
        assert "\n" not in message
        assert "start it with `linkage neo4j start`" in message
        assert len(batches) >= 2
        with GraphStore(retry_seconds=1) as down, pytest.raises(GraphStoreError) as caught:
            down.verify()
        assert str(caught.value).startswith("no Neo4j at bolt://")
    finally:
        neo4j_server.start()
    with GraphStore() as again:
        deadline = time.monotonic() + 60
        while True:  # the database may still be recovering right after start-up
            try:
                again.verify()
                break
            except GraphStoreError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        partial = again.counts()
        assert partial != clean.counts  # the first load did stop part-way
        again.load_run(run.out)
        assert again.counts() == clean.counts
        assert again.checksum() == clean.checksum


# ----------------------------------------------------------------------------- datasets


@pytest.fixture(scope="session")
def other_dataset(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A run of another generated dataset (another seed, another input folder)."""
    root = tmp_path_factory.mktemp("other_dataset")
    write_dataset(generate(scenario="default", seed=SEED + 1, scale=0.1), root / "data")
    settings = Settings()
    result = run_pipeline(root / "data", settings)
    write_run(result, root / "run")
    return Run(root / "run", result, settings)


def test_a_run_of_another_dataset_replaces_the_graph(
    store: GraphStore, clean: Clean, runs: tuple[Run, Run], other_dataset: Run
) -> None:
    first = runs[0]
    first_name = str(first.out.parent / "data")
    assert store.datasets() == [first_name]
    try:
        report = store.load_run(other_dataset.out)
        assert report.replaced == [first_name]
        assert store.datasets() == [report.dataset] != [first_name]
        counts = store.counts()
        assert counts[":Account"] == len(other_dataset.result.accounts)
        assert counts[":Run"] == 1
        _assert_same_clusters(store, other_dataset)
        # every investigator query answers for this dataset only
        other_accounts = set(other_dataset.result.accounts["account_id"])
        flagged = {c["cluster_id"] for c in other_dataset.result.campaigns if c["flagged"]}
        missed = store.run_query("missed_heads", {"limit": "100000"})
        assert not missed.empty
        assert set(missed["account_id"]) <= other_accounts
        assert set(missed["touches_cluster"]) <= flagged
        top = store.run_query("top_clusters", {"limit": "100000"})
        assert set(top["cluster_id"]) == {c["cluster_id"] for c in other_dataset.result.campaigns}
        gone = first.result.accounts["account_id"].iloc[0]
        assert store.run_query(
            "evidence_path", {"account_a": gone, "account_b": sorted(other_accounts)[0]}
        ).empty
        # the same graph as a load into an empty database
        replaced = store.checksum()
        store.clear()
        store.load_run(other_dataset.out)
        assert store.checksum() == replaced
    finally:
        _restore(store, first, clean)


def test_the_dataset_is_the_input_folder_unless_named(
    store: GraphStore, clean: Clean, runs: tuple[Run, Run]
) -> None:
    first, second = runs
    try:
        # runs of one input folder are one dataset: the second updates the first in place
        report = store.load_run(second.out)
        assert report.replaced == [] and store.counts()[":Run"] == 2
        # a name of its own makes it another dataset, and --replace empties the graph
        named = store.load_run(second.out, dataset="investigation-7")
        assert named.replaced == [report.dataset]
        assert store.datasets() == ["investigation-7"]
        again = store.load_run(second.out, dataset="investigation-7", replace=True)
        assert again.replaced == ["investigation-7"] and store.counts()[":Run"] == 1
        with pytest.raises(GraphStoreError, match="dataset name is empty"):
            store.load_run(second.out, dataset=" ")
    finally:
        _restore(store, first, clean)


def test_a_graph_of_runs_loaded_before_datasets_were_recorded_is_one_dataset(
    store: GraphStore, clean: Clean, runs: tuple[Run, Run]
) -> None:
    first = runs[0]
    try:
        # a graph loaded by an earlier version: Run nodes without a dataset
        legacy = Query("legacy", "MATCH (r:Run) REMOVE r.dataset")
        store._runner.write(legacy, {}, "making a legacy graph")
        assert store.datasets() == [str(first.out.parent / "data")]  # its input folder
        assert store.load_run(first.out).replaced == []
        assert store.checksum() == clean.checksum
        # nodes without any Run node: an unknown dataset, replaced by the next load
        unknown = Query("unknown", "MATCH (r:Run) DETACH DELETE r")
        store._runner.write(unknown, {}, "making an unknown graph")
        assert store.datasets() == ["(unknown)"]
        assert store.load_run(first.out).replaced == ["(unknown)"]
    finally:
        _restore(store, first, clean)


# -------------------------------------------------------------------------- bulk import


def _tricky_copy(run: Run, folder: Path) -> Path:
    """The run folder with values the CSV files must carry exactly: strings with quotes,
    commas, line breaks, non-ASCII text, an empty string; infinite weights."""
    shutil.copytree(run.out, folder)
    path = folder / "graph" / "accounts.parquet"
    accounts = pd.read_parquet(path)
    names = ['say "hi", twice', "", "two\nlines\r\nthree", "Zoë 王 \\ end", None]
    for offset, name in enumerate(names):
        accounts.loc[accounts.index[offset], "display_name"] = name
    accounts.to_parquet(path, index=False)
    path = folder / "graph" / "account_attributes.parquet"
    held = pd.read_parquet(path)
    held.loc[held.index[:2], "usage_share"] = [float("inf"), float("-inf")]
    held.to_parquet(path, index=False)
    return folder


def test_a_bulk_import_gives_the_graph_a_bolt_load_gives(
    store: GraphStore, clean: Clean, runs: tuple[Run, Run], tmp_path: Path
) -> None:
    first = runs[0]
    try:
        report = bulk_load(first.out, work_dir=tmp_path / "csv")
        assert report.bulk and report.rows > 0 and report.replaced == []
        assert {"write csv", "import", "schema"} <= set(report.steps)
        header = (tmp_path / "csv" / "nodes_Account.csv").read_text().splitlines()[0]
        assert header.startswith(":ID(Account),account_id:string,created_at:datetime")
        start = (tmp_path / "csv" / "relationships_MEMBER_OF.csv").read_text().splitlines()[0]
        assert start.startswith(":START_ID(Account),:END_ID(Cluster)")
        with GraphStore() as after:  # the server was restarted
            assert after.counts() == clean.counts
            assert after.checksum() == clean.checksum
            assert after.datasets() == [report.dataset]
        # strings that CSV quoting must not bend, loaded both ways
        tricky = _tricky_copy(first, tmp_path / "tricky")
        store.clear()
        store.load_run(tricky)
        over_bolt = store.checksum()
        assert over_bolt != clean.checksum
        loaded = CliRunner().invoke(app, ["neo4j", "load", str(tricky), "--bulk"])
        assert loaded.exit_code == 0, loaded.output
        assert "bulk-imported" in loaded.output
        with GraphStore() as after:
            assert after.checksum() == over_bolt
    finally:
        _restore(store, first, clean)
