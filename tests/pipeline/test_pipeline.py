"""The main job end to end on a small generated dataset: contract outputs, stable ids."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from linkage.cli import app
from linkage.errors import SettingsError
from linkage.io.run_folder import read_previous_clusters
from linkage.jobs import run_detection as run
from linkage.jobs import write_run_folder as write_run
from linkage.settings import Settings, load_settings
from linkage.synth import generate, write_dataset

runner = CliRunner()


@pytest.fixture(scope="module")
def dataset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    write_dataset(generate("default", seed=5, scale=0.3), folder, fmt="csv")
    return folder


@pytest.fixture(scope="module")
def run_dir(dataset_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    outcome = runner.invoke(app, ["run", "--input", str(dataset_dir), "--out", str(out)])
    assert outcome.exit_code == 0, outcome.output
    return out


def test_outputs_follow_the_contract(run_dir: Path) -> None:
    clusters = pd.read_csv(run_dir / "clusters.csv", dtype=str, keep_default_na=False)
    assert list(clusters.columns) == [
        "account_id",
        "cluster_id",
        "hydra_score",
        "flagged",
        "organization",
        "attribution_confidence",
    ]
    assert set(clusters["flagged"]) <= {"true", "false"}
    scores = clusters["hydra_score"].astype(float)
    assert scores.between(0, 1).all()
    assert clusters["account_id"].is_unique
    assert (clusters.groupby("cluster_id").size() >= 2).all()

    takedown = pd.read_csv(run_dir / "takedown.csv", dtype=str)
    assert list(takedown.columns) == [
        "account_id",
        "cluster_id",
        "hydra_score",
        "organization",
        "reason",
        "member_confidence",
    ]
    flagged = set(clusters.loc[clusters["flagged"] == "true", "account_id"])
    assert set(takedown["account_id"]) == flagged and flagged

    campaigns = json.loads((run_dir / "campaigns.json").read_text())
    assert len(campaigns) == clusters["cluster_id"].nunique()
    first = campaigns[0]
    for key in (
        "cluster_id",
        "account_count",
        "exchange_count",
        "first_activity",
        "last_activity",
        "hydra_score",
        "flagged",
        "organization",
        "attribution_confidence",
        "alternatives",
        "evidence",
    ):
        assert key in first
    for key in ("shared_payment_methods", "shared_ips", "shared_templates", "indicators"):
        assert key in first["evidence"]
    assert first["flagged"] and first["evidence"]["indicators"]
    # around the clock = share of the span's hours with requests x flatness of the hourly counts
    timing = first["timing"]
    assert 0.0 <= timing["around_the_clock"] <= 1.0
    assert timing["around_the_clock"] == pytest.approx(
        timing["active_hour_share"] * timing["flatness"], abs=1e-3
    )

    info = json.loads((run_dir / "run.json").read_text())
    for counts in info["rows"].values():
        assert counts["read"] == counts["accepted"] + counts["rejected"]
    assert set(info["stage_seconds"]) >= {"validate", "link", "cluster", "score", "attribution"}
    assert info["settings"]["score"]["flag_threshold"] == Settings().score.flag_threshold
    assert "pandas" in info["versions"]
    # the saved settings reproduce the run's parameters
    assert load_settings(run_dir / "run.json") == Settings()


def test_same_input_same_output(dataset_dir: Path, run_dir: Path, tmp_path: Path) -> None:
    result = run(dataset_dir, Settings())
    write_run(result, tmp_path)
    for name in ("clusters.csv", "takedown.csv", "campaigns.json"):
        assert (tmp_path / name).read_text() == (run_dir / name).read_text(), name


def test_cluster_that_grows_or_shrinks_keeps_its_id(dataset_dir: Path, tmp_path: Path) -> None:
    first = run(dataset_dir, Settings()).clusters
    biggest = first.groupby("cluster_id").size().idxmax()
    members = first.loc[first["cluster_id"] == biggest, "account_id"]

    # shrink: drop a third of the biggest cluster's accounts (the anchor among them)
    accounts = pd.read_csv(dataset_dir / "accounts.csv", dtype=str)
    accounts["created_at"] = pd.to_datetime(accounts["created_at"], utc=True)
    ordered = accounts[accounts["account_id"].isin(members)].sort_values(
        ["created_at", "account_id"]
    )
    dropped = set(ordered["account_id"].head(max(1, len(members) // 3)))
    smaller = tmp_path / "smaller"
    smaller.mkdir()
    for table in ("accounts", "requests", "payment_methods", "ip_intel", "indicators"):
        frame = pd.read_csv(dataset_dir / f"{table}.csv", dtype=str, keep_default_na=False)
        if "account_id" in frame.columns:
            frame = frame[~frame["account_id"].isin(dropped)]
        frame.to_csv(smaller / f"{table}.csv", index=False)

    previous_dir = tmp_path / "previous"
    write_run(run(dataset_dir, Settings()), previous_dir)
    without_previous = run(smaller, Settings()).clusters
    with_previous = run(smaller, Settings(), read_previous_clusters(previous_dir)).clusters
    remaining = members[~members.isin(dropped)]

    def id_of(clusters: pd.DataFrame) -> set[str]:
        return set(clusters.loc[clusters["account_id"].isin(remaining), "cluster_id"])

    assert id_of(with_previous) == {biggest}
    assert id_of(without_previous) != {biggest}  # the anchor left: only --previous keeps the id
    # and growing back (the original data, with the shrunken run as previous) keeps it too
    write_run(run(smaller, Settings(), read_previous_clusters(previous_dir)), tmp_path / "mid")
    regrown = run(dataset_dir, Settings(), read_previous_clusters(tmp_path / "mid")).clusters
    assert set(regrown.loc[regrown["account_id"].isin(members), "cluster_id"]) == {biggest}


def test_settings_file_overrides_and_rejects_typos(tmp_path: Path) -> None:
    good = tmp_path / "settings.toml"
    good.write_text("[score]\nflag_threshold = 0.7\n[link.attribute_weights]\npayment = 0.8\n")
    settings = load_settings(good)
    assert settings.score.flag_threshold == 0.7
    assert settings.link.attribute_weights["payment"] == 0.8
    assert settings.link.attribute_weights["ip"] == Settings().link.attribute_weights["ip"]
    bad = tmp_path / "bad.toml"
    bad.write_text("flag_treshold = 0.7\n")
    with pytest.raises(SettingsError, match="unknown setting 'flag_treshold'"):
        load_settings(bad)


def test_cli_help_teaches() -> None:
    outcome = runner.invoke(app, ["--help"])
    assert outcome.exit_code == 0 and "linkage run --input" in outcome.output
    for command in ("generate", "run", "evaluate", "settings"):
        outcome = runner.invoke(app, [command, "--help"])
        assert outcome.exit_code == 0, command


def test_evaluate_command_writes_evaluation(run_dir: Path, dataset_dir: Path) -> None:
    outcome = runner.invoke(
        app, ["evaluate", "--labels", str(dataset_dir / "labels.csv"), "--out", str(run_dir)]
    )
    assert outcome.exit_code == 0, outcome.output
    evaluation = json.loads((run_dir / "evaluation.json").read_text())
    assert evaluation["campaigns_total"] == 3
