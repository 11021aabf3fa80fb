"""The request engines agree: the same input gives the same outputs, batch by batch or
whole, in DuckDB or on Spark (local mode, a tiny sample: Spark's start-up dominates)."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import linkage.engines.duckdb_engine as duckdb_engine
import linkage.io.input_folder as input_folder
from linkage.jobs import run_job
from linkage.settings import Settings
from linkage.synth import generate, write_dataset

OUTPUTS = ("clusters.csv", "campaigns.json", "takedown.csv", "indicators.stix.json")


def _run(data: Path, out: Path, engine: str = "duckdb") -> Path:
    saved = os.environ.pop("LINKAGE_SHARING_KEY", None)  # the bundle under the demo key
    try:
        run_job(data, out, Settings(), engine=engine)
    finally:
        if saved is not None:
            os.environ["LINKAGE_SHARING_KEY"] = saved
    return out


def _same_outputs(left: Path, right: Path) -> None:
    for name in OUTPUTS:
        assert (left / name).read_bytes() == (right / name).read_bytes(), name
    for name in ("requests",):
        path = Path("rejects") / f"{name}.csv"
        assert (left / path).is_file() == (right / path).is_file()
        if (left / path).is_file():
            a = pd.read_csv(left / path, dtype=str)
            b = pd.read_csv(right / path, dtype=str)
            pd.testing.assert_frame_equal(a, b)


def _break_rows(folder: Path) -> None:
    """A later duplicate request_id, a row that does not parse and a bad IP, far apart."""
    path = folder / "requests.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    body[len(body) // 2][header.index("ip")] = "300.1.2.3"
    body[-5][header.index("request_id")] = body[0][header.index("request_id")]
    body.insert(len(body) // 3, ["only", "three", "fields"])
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerows([header, *body])


@pytest.fixture(scope="module")
def sample_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("engines") / "csv"
    write_dataset(generate("default", seed=7, scale=0.1), folder)
    _break_rows(folder)
    return folder


@pytest.mark.slow
def test_small_csv_blocks_and_rows_on_disk_give_the_same_run_as_one_block_in_memory(
    sample_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _run(sample_csv, tmp_path / "whole")
    monkeypatch.setattr(input_folder, "_CSV_BLOCK_BYTES", 1 << 18)  # ~ a dozen batches
    # the first batches kept in memory, then all of them moved to a table on disk
    monkeypatch.setattr(duckdb_engine, "IN_MEMORY_BYTES", 1 << 19)
    batched = _run(sample_csv, tmp_path / "batched")
    _same_outputs(whole, batched)
    rejects = pd.read_csv(batched / "rejects" / "requests.csv", dtype=str)
    reasons = " ".join(rejects["_reason"])
    assert "duplicate request_id" in reasons and "does not parse as CSV" in reasons
    assert "unparsable IP address" in reasons


@pytest.mark.slow
def test_threads_and_worker_processes_give_the_same_run_as_one_thread(
    sample_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKAGE_WORKERS", "1")
    serial = _run(sample_csv, tmp_path / "serial")
    monkeypatch.setenv("LINKAGE_WORKERS", "2")
    monkeypatch.setattr(input_folder, "_CSV_BLOCK_BYTES", 1 << 18)  # batches cut in slices
    threaded = _run(sample_csv, tmp_path / "threads")
    _same_outputs(serial, threaded)
    monkeypatch.setattr(duckdb_engine, "_is_large", lambda table, batch_rows: True)
    processes = _run(sample_csv, tmp_path / "processes")
    _same_outputs(serial, processes)


@pytest.fixture(scope="module")
def spark_session() -> Iterator[object]:
    from linkage.engines.spark_engine import SparkEngine

    engine = SparkEngine()  # its session is reused by every run of this module
    yield engine.spark
    engine.spark.stop()  # type: ignore[attr-defined]
    engine.close()  # its work folder


@pytest.mark.slow
def test_spark_gives_the_same_clusters_scores_and_flags(
    spark_session: object, sample_csv: Path, tmp_path: Path
) -> None:
    parquet = tmp_path / "parquet"
    write_dataset(generate("default", seed=7, scale=0.1), parquet, fmt="parquet")
    _same_outputs(_run(parquet, tmp_path / "duckdb"), _run(parquet, tmp_path / "spark", "spark"))
    # a CSV with broken rows: copied to Parquet with its file rows, same rejects
    _same_outputs(
        _run(sample_csv, tmp_path / "duckdb-csv"), _run(sample_csv, tmp_path / "spark-csv", "spark")
    )
