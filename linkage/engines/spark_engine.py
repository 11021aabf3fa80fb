"""The Spark engine: the same batch map in ``mapInArrow``, the same SQL transpiled by sqlglot.

``linkage run --engine spark --master URL`` (``local[2]`` by default; ``spark://...``,
``yarn``, ``k8s://...``, or ``sc://...`` for Spark Connect). What runs where:

* **Executors** read the requests (Parquet: each task a slice of row groups; the file row
  comes from ``_metadata.row_index``), run :func:`linkage.detect.request_batch.map_batch`
  on each Arrow batch (validation, IP placement, template fingerprints, the content
  classifier) and write the narrow rows to Parquet under the work folder. The SQL of
  :mod:`linkage.detect.request_sql`, transpiled from DuckDB's dialect to Spark SQL with
  sqlglot, runs there too, shuffling by account or value.
* **The driver** gets only account-level answers (profiles' inputs one group of accounts
  at a time, incidence, co-use slots, the sampled prompts) and runs the graph work.

A CSV input is first copied to Parquet with its file row numbers by the driver (one
streaming pass, as the embedded engine reads it), so the executors see one format.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from linkage.detect.request_batch import NARROW_SCHEMA, BatchContext, map_batch
from linkage.engines.duckdb_engine import raw_rows as raw_rows_from_file
from linkage.io.input_folder import (
    BATCH_ROWS,
    INVALID_UTF8,
    ROW_COLUMN,
    RawTable,
    StreamedTable,
    parquet_frame,
)

PARTITION_ROWS = 2_000_000
"""Requests per group of accounts handed to the profile at once."""


@cache
def to_spark(statement: str) -> str:
    """A statement of :mod:`linkage.detect.request_sql` in Spark SQL (sqlglot)."""
    import sqlglot

    return str(sqlglot.transpile(statement, read="duckdb", write="spark")[0])


class SparkEngine:
    """See the module docstring."""

    name = "spark"

    def __init__(self, master: str | None = None, work_dir: str | None = None) -> None:
        from pyspark.sql import SparkSession

        self.master = master or os.environ.get("LINKAGE_SPARK_MASTER", "local[2]")
        if self.master.startswith("local"):
            # local workers run this interpreter (with linkage and its dependencies)
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        # a session that was running before (a notebook's, a test's) is used and left running
        self._owns = SparkSession.getActiveSession() is None
        builder = SparkSession.builder.appName("linkage")
        if self.master.startswith("sc://"):
            builder = builder.remote(self.master)
        else:
            builder = builder.master(self.master)
            for key, value in _local_config(self.master).items():
                builder = builder.config(key, value)
        self.spark = builder.config("spark.sql.session.timeZone", "UTC").getOrCreate()
        work = work_dir or os.environ.get("LINKAGE_SPARK_WORK")
        self._local = work is None
        self.work = work or tempfile.mkdtemp(prefix="linkage-spark-")
        self.table: RawTable | None = None
        self.source: str | None = None
        self.accepted = 0
        self._excluded = pd.DataFrame({"file_row": pd.Series([], dtype="int64")})

    def load(self, table: RawTable, context: BatchContext) -> None:
        self.table = table
        self.source, has_row = self._source(table)
        frame = self.spark.read.parquet(self.source)
        if not has_row:
            frame = frame.select("*", "_metadata.row_index")
        schema = _spark_schema()
        mapped = frame.mapInArrow(_mapper(context, has_row), schema)
        narrow = f"{self.work}/narrow"
        mapped.write.mode("overwrite").parquet(narrow)
        self.spark.read.parquet(narrow).createOrReplaceTempView("narrow")
        self._define_view()

    def _source(self, table: RawTable) -> tuple[str, bool]:
        """A Parquet file Spark reads, and whether it carries the file row already."""
        if isinstance(table, StreamedTable) and table.path.suffix == ".parquet":
            return str(table.path), False
        staged = f"{self.work}/raw_requests.parquet"
        _stage(table, staged)
        return staged, True

    def _define_view(self) -> None:
        excluded = self.spark.createDataFrame(self._excluded, schema="file_row bigint")
        excluded.createOrReplaceTempView("excluded")
        self.spark.sql(
            "SELECT * FROM narrow WHERE _reject IS NULL "
            "AND file_row NOT IN (SELECT file_row FROM excluded)"
        ).createOrReplaceTempView("requests")
        self.accepted = int(self.spark.table("requests").count())

    def exclude_rows(self, rows: np.ndarray) -> None:
        more = pd.DataFrame({"file_row": np.asarray(rows, dtype=np.int64)})
        self._excluded = pd.concat([self._excluded, more], ignore_index=True)
        self._define_view()

    def sql(self, statement: str, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
        for name, frame in (tables or {}).items():
            plain, schema = _plain(frame)
            self.spark.createDataFrame(plain, schema=schema).createOrReplaceTempView(name)
        result = self.spark.sql(to_spark(statement))
        return _to_pandas(result)

    def account_partitions(self, columns: str) -> Iterator[pd.DataFrame]:
        parts = max(1, -(-self.accepted // PARTITION_ROWS))
        for part in range(parts):
            yield _to_pandas(
                self.spark.sql(
                    f"SELECT {columns} FROM requests WHERE pmod(hash(account_id), {parts}) = "
                    f"{part} ORDER BY ts, file_row"
                )
            )

    def raw_rows(self, rows: np.ndarray, columns: list[str] | None = None) -> pd.DataFrame:
        if self.table is None or self.source is None:
            raise RuntimeError("no requests loaded")
        if not isinstance(self.table, StreamedTable):
            return raw_rows_from_file(self.table, rows, columns)
        from pyspark.sql import functions as f

        frame = self.spark.read.parquet(self.source)
        if ROW_COLUMN not in frame.columns:
            frame = frame.select("*", (f.col("_metadata.row_index") + 1).alias(ROW_COLUMN))
        # a semi-join with the wanted rows as a table: an IN list of a million literals is
        # a plan Spark compiles and evaluates row by row
        wanted = pd.DataFrame({ROW_COLUMN: np.unique(np.asarray(rows, dtype=np.int64))})
        wanted_rows = self.spark.createDataFrame(wanted, schema=f"{ROW_COLUMN} bigint")
        chosen = frame.join(f.broadcast(wanted_rows), on=ROW_COLUMN, how="left_semi")
        if columns:
            chosen = chosen.select(*columns, ROW_COLUMN)
        arrow = chosen.toArrow()
        result = parquet_frame(arrow.drop_columns([ROW_COLUMN]))
        result[ROW_COLUMN] = arrow.column(ROW_COLUMN).to_numpy()
        return result.sort_values(ROW_COLUMN, ignore_index=True)

    def close(self) -> None:
        if self._owns and self.master.startswith("local"):
            self.spark.stop()
        if self._local:
            shutil.rmtree(self.work, ignore_errors=True)


def _local_config(master: str) -> dict[str, str]:
    """Settings for a local session (a cluster's come from spark-defaults / the submitter)."""
    if not master.startswith("local"):
        return {}
    return {
        # the workers run this interpreter (with linkage and its dependencies installed)
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": os.environ.get("LINKAGE_SPARK_PARTITIONS", "8"),
        "spark.driver.memory": os.environ.get("LINKAGE_SPARK_DRIVER_MEMORY", "4g"),
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.execution.arrow.maxRecordsPerBatch": str(BATCH_ROWS // 4),
        "spark.driver.extraJavaOptions": "-Dlog4j.rootLogger=ERROR",
    }


def _spark_schema() -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(NARROW_SCHEMA)


def _mapper(context: BatchContext, has_row: bool) -> Any:
    """The function each Spark task runs over its Arrow batches (the batch map)."""
    from pathlib import Path as _Path

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            if has_row:
                rows = batch.column(ROW_COLUMN).to_numpy()
                data = batch.drop_columns([ROW_COLUMN])
            else:
                rows = batch.column("row_index").to_numpy() + 1
                data = batch.drop_columns(["row_index"])
            frame = parquet_frame(data)
            frame[ROW_COLUMN] = np.asarray(rows, dtype=np.int64)
            malformed = []
            if has_row and "_malformed" in frame.columns:
                malformed = _malformed_rows(frame)
                frame = frame[frame["_malformed"].isna()].drop(columns=["_malformed"])
            frame = frame.reset_index(drop=True)
            raw = RawTable("requests", _Path("requests"), frame, malformed, [], _invalid(frame))
            yield from map_batch(raw, context).to_batches()

    return run


def _invalid(frame: pd.DataFrame) -> list[str]:
    """Columns holding cells the reader marked as not UTF-8 (a CSV read by the driver)."""
    found = []
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object or str(column.dtype) in ("str", "string"):
            marked = column.astype("str").str.contains(INVALID_UTF8, regex=False, na=False)
            if marked.any():
                found.append(name)
    return found


def _malformed_rows(frame: pd.DataFrame) -> list[dict[str, object]]:
    rows = frame[frame["_malformed"].notna()]
    found = []
    for text, row in zip(rows["_malformed"], rows[ROW_COLUMN], strict=True):
        reason, _, line = str(text).partition("\n")
        found.append({"row": int(row), "text": line, "reason": reason})
    return found


def _stage(table: RawTable, path: str) -> None:
    """Copy a CSV (or in-memory) requests table to Parquet with its file rows (one pass);
    rows that did not parse ride along in ``_malformed`` (reason, newline, text)."""
    writer: pq.ParquetWriter | None = None
    batches = table.batches() if isinstance(table, StreamedTable) else iter([table])
    columns = [c for c in table.frame.columns if c != ROW_COLUMN]
    for batch in batches:
        frame = batch.frame.copy()
        for name in columns:
            if name not in frame.columns:
                frame[name] = None
        frame = frame[[*columns, ROW_COLUMN]].astype({c: object for c in columns})
        frame["_malformed"] = None
        if batch.malformed:
            extra = pd.DataFrame(
                {
                    ROW_COLUMN: [int(m["row"]) for m in batch.malformed],  # type: ignore[call-overload]
                    "_malformed": [f"{m['reason']}\n{m['text']}" for m in batch.malformed],
                }
            )
            frame = pd.concat([frame, extra], ignore_index=True)
        arrow = pa.Table.from_pandas(frame, preserve_index=False, schema=_staged_schema(columns))
        if writer is None:
            writer = pq.ParquetWriter(path, arrow.schema)
        writer.write_table(arrow)
    if writer is None:
        writer = pq.ParquetWriter(path, _staged_schema(columns))
    writer.close()


def _staged_schema(columns: list[str]) -> pa.Schema:
    return pa.schema(
        [
            *[(c, pa.string()) for c in columns],
            (ROW_COLUMN, pa.int64()),
            ("_malformed", pa.string()),
        ]
    )


def _plain(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """A small table for Spark: integer columns as bigint, the others as plain strings
    (Spark's converters know no pandas 'str'), and its schema."""
    types = {c: "bigint" if frame[c].dtype == np.int64 else "string" for c in frame.columns}
    plain = frame.astype({c: object for c, t in types.items() if t == "string"})
    return plain, ", ".join(f"`{c}` {t}" for c, t in types.items())


def _to_pandas(frame: Any) -> pd.DataFrame:
    result = frame.toArrow().to_pandas()
    return result
