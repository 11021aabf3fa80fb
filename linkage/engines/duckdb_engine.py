"""The embedded engine: DuckDB in-process, the requests' narrow rows in a database on disk.

The batch map runs over the input file, batch after batch. The narrow rows stay in memory
as Arrow tables that DuckDB reads in place while they fit ``in_memory_bytes`` (a million
requests take about 400 MB); past that, they go into a DuckDB table in a temporary folder,
DuckDB is capped in memory (``memory_limit``) and spills to that folder, so peak memory
depends on the accounts and distinct values a run keeps, not on the number of requests.
Copying a million rows into DuckDB's own storage took 5 s of CPU that the map needs.

A large input is mapped in worker processes (each starts Python and loads the models, a few
seconds); a smaller one in threads of this process, each taking a slice of a batch: most of
the map (Arrow's string kernels, the compiled classifier) runs without the GIL.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from linkage.detect.request_batch import NARROW_SCHEMA, BatchContext, map_batch
from linkage.io.input_folder import BATCH_ROWS, ROW_COLUMN, RawTable, StreamedTable

PARTITION_ROWS = 2_000_000
"""Requests per group of accounts handed to the profile at once."""
IN_MEMORY_BYTES = 1 << 30
"""Narrow rows kept in memory as Arrow before they go to a DuckDB table on disk."""


class DuckDBEngine:
    """See the module docstring."""

    name = "duckdb"

    def __init__(
        self,
        work_dir: Path | None = None,
        memory_limit: str | None = None,
        threads: int | None = None,
        batch_rows: int = BATCH_ROWS,
        workers: int | None = None,
        in_memory_bytes: int | None = None,
    ) -> None:
        base = str(work_dir) if work_dir else None
        self._folder = Path(tempfile.mkdtemp(prefix="linkage-duckdb-", dir=base))
        self.batch_rows = batch_rows
        limit = memory_limit or os.environ.get("LINKAGE_DUCKDB_MEMORY", "2GB")
        self.query_memory = os.environ.get("LINKAGE_DUCKDB_QUERY_MEMORY", "1GB")
        self.con = duckdb.connect(
            str(self._folder / "requests.duckdb"),
            config={
                "memory_limit": limit,
                "threads": threads or min(2, os.cpu_count() or 1),
                "temp_directory": str(self._folder / "spill"),
                "preserve_insertion_order": False,
            },
        )
        self.table: RawTable | None = None
        self.accepted = 0
        self.workers = workers if workers is not None else _default_workers()
        self.in_memory_bytes = IN_MEMORY_BYTES if in_memory_bytes is None else in_memory_bytes
        self._in_memory: pa.Table | None = None

    def load(self, table: RawTable, context: BatchContext) -> None:
        self.table = table
        self._drop_narrow()
        batches = _batches(table, self.batch_rows)
        mapped: Iterator[pa.Table]
        if self.workers > 1 and _is_large(table, self.batch_rows):
            parts = table.parquet_parts() if isinstance(table, StreamedTable) else []
            if isinstance(table, StreamedTable) and len(parts) >= 2 * self.workers:
                # each worker reads its own row groups: the raw rows (prompts and all) never
                # pass through this process, which only gathers the narrow ones
                mapped = _map_parts_in_processes(
                    table, parts, context, self.workers, self.batch_rows
                )
            else:
                mapped = _map_in_processes(batches, context, self.workers)
        elif self.workers > 1:
            mapped = _map_in_threads(batches, context, self.workers)
        else:
            mapped = (map_batch(batch, context) for batch in batches)
        kept: list[pa.Table] = []
        kept_bytes = 0
        on_disk = False
        for rows in mapped:
            if not on_disk and kept_bytes + rows.nbytes <= self.in_memory_bytes:
                kept.append(rows)
                kept_bytes += rows.nbytes
                continue
            if not on_disk:
                self._run(f"CREATE TABLE narrow ({_columns_sql()})")
                for earlier in kept:
                    self._insert(earlier)
                kept, on_disk = [], True
            self._insert(rows)
        if not on_disk:
            self._in_memory = pa.concat_tables(kept) if kept else NARROW_SCHEMA.empty_table()
            self.con.register("narrow", self._in_memory)
        self._run("CREATE OR REPLACE TABLE excluded (file_row BIGINT)")
        self._define_view()
        # the rows are on disk now; later statements read few columns and may spill
        self._run(f"SET memory_limit = '{self.query_memory}'")

    def _insert(self, rows: pa.Table) -> None:
        self.con.register("batch_rows", rows)
        self._run("INSERT INTO narrow SELECT * FROM batch_rows")
        self.con.unregister("batch_rows")

    def _drop_narrow(self) -> None:
        if self._in_memory is not None:
            self.con.unregister("narrow")
            self._in_memory = None
        self._run("DROP TABLE IF EXISTS narrow")

    def _define_view(self) -> None:
        self._run(
            "CREATE OR REPLACE VIEW requests AS SELECT * FROM narrow WHERE _reject IS NULL "
            "AND file_row NOT IN (SELECT file_row FROM excluded)"
        )
        (count,) = self._run("SELECT COUNT(*) FROM requests")[0]
        self.accepted = int(str(count))

    def _run(self, statement: str) -> list[tuple[object, ...]]:
        return self.con.execute(statement).fetchall()

    def exclude_rows(self, rows: np.ndarray) -> None:
        frame = pd.DataFrame({"file_row": np.asarray(rows, dtype=np.int64)})
        self.con.register("new_rows", frame)
        self._run("INSERT INTO excluded SELECT file_row FROM new_rows")
        self.con.unregister("new_rows")
        self._define_view()

    def sql(self, statement: str, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
        for name, frame in (tables or {}).items():
            self.con.register(name, frame)
        try:
            return self.con.sql(statement).to_arrow_table().to_pandas()
        finally:
            for name in tables or {}:
                self.con.unregister(name)

    def account_partitions(self, columns: str) -> Iterator[pd.DataFrame]:
        parts = max(1, -(-self.accepted // PARTITION_ROWS))
        for part in range(parts):
            yield self.sql(
                f"SELECT {columns} FROM requests WHERE hash(account_id) % {parts} = {part} "
                "ORDER BY ts, file_row"
            )

    def raw_rows(self, rows: np.ndarray, columns: list[str] | None = None) -> pd.DataFrame:
        if self.table is None:
            raise RuntimeError("no requests loaded")
        return raw_rows(self.table, rows, columns, self.batch_rows)

    def close(self) -> None:
        self.con.close()
        self._in_memory = None
        shutil.rmtree(self._folder, ignore_errors=True)


def _default_workers() -> int:
    """Processes for the batch map: ``$LINKAGE_WORKERS``, or one per core (at most 4)."""
    configured = os.environ.get("LINKAGE_WORKERS")
    if configured:
        return max(1, int(configured))
    return max(1, min(4, os.cpu_count() or 1))


def _is_large(table: RawTable, batch_rows: int) -> bool:
    """Worth starting worker processes for (each imports the package and loads the models,
    a few seconds)."""
    if not isinstance(table, StreamedTable) or "empty" in table.notes:
        return False
    if table.path.suffix == ".parquet":
        return bool(pq.read_metadata(table.path).num_rows > 4 * batch_rows)
    return table.path.stat().st_size > (256 << 20)


_WORKER_CONTEXT: list[BatchContext] = []


def _start_worker(context_file: str) -> None:
    with open(context_file, "rb") as handle:
        _WORKER_CONTEXT.append(pickle.load(handle))


def _map_in_worker(batch: RawTable) -> pa.Table:
    return map_batch(batch, _WORKER_CONTEXT[0])


def _map_part_in_worker(table: StreamedTable, part: tuple[int, int], batch_rows: int) -> pa.Table:
    mapped = [
        map_batch(batch, _WORKER_CONTEXT[0]) for batch in table.part_batches(part, batch_rows)
    ]
    return pa.concat_tables(mapped) if mapped else NARROW_SCHEMA.empty_table()


def _map_parts_in_processes(
    table: StreamedTable,
    parts: list[tuple[int, int]],
    context: BatchContext,
    workers: int,
    batch_rows: int,
) -> Iterator[pa.Table]:
    """The batch map over a Parquet file's row groups, each read by a worker, results in
    file order."""
    calls = ((_map_part_in_worker, (table, part, batch_rows)) for part in parts)
    return _in_processes(calls, context, workers)


def _map_in_processes(
    batches: Iterator[RawTable], context: BatchContext, workers: int
) -> Iterator[pa.Table]:
    """The batch map in ``workers`` processes, results in batch order."""
    return _in_processes(((_map_in_worker, (batch,)) for batch in batches), context, workers)


def _map_in_threads(
    batches: Iterator[RawTable], context: BatchContext, threads: int
) -> Iterator[pa.Table]:
    """The batch map in ``threads`` threads of this process, each batch cut in as many
    slices of rows, results in file order."""
    calls = (
        (map_batch, (piece, context)) for batch in batches for piece in row_slices(batch, threads)
    )
    with ThreadPoolExecutor(threads, thread_name_prefix="linkage-map") as pool:
        yield from _ordered(pool, calls, threads)


def row_slices(batch: RawTable, parts: int) -> list[RawTable]:
    """``batch`` cut into at most ``parts`` runs of consecutive rows; the rows that did not
    parse stay with the first, so they are reported once.

    >>> frame = pd.DataFrame({"x": range(5)})
    >>> [len(p.frame) for p in row_slices(RawTable("t", Path("t.csv"), frame), 2)]
    [2, 3]
    """
    if parts <= 1:
        return [batch]
    bounds = np.linspace(0, len(batch.frame), parts + 1).round().astype(int)
    return [
        RawTable(
            batch.name,
            batch.path,
            batch.frame.iloc[start:stop].copy(),
            malformed=batch.malformed if index == 0 else [],
            notes=batch.notes,
            invalid_utf8_columns=batch.invalid_utf8_columns,
        )
        for index, (start, stop) in enumerate(itertools.pairwise(bounds))
        if stop > start or index == 0
    ]


def _in_processes(
    calls: Iterator[tuple[Callable[..., pa.Table], tuple[object, ...]]],
    context: BatchContext,
    workers: int,
) -> Iterator[pa.Table]:
    """Each call run in one of ``workers`` processes (each given ``context`` once), results
    in call order."""
    spawn = multiprocessing.get_context("spawn")
    # the context (account ids and all, half a megabyte for 30,000 accounts) goes through a
    # file: given as an argument, it fills the pipe to a new process, and starting the
    # next one waited until the first had imported everything and read it (1.4 s each)
    with tempfile.TemporaryDirectory(prefix="linkage-context-") as folder:
        context_file = os.path.join(folder, "context.pickle")
        with open(context_file, "wb") as handle:
            pickle.dump(context, handle, protocol=pickle.HIGHEST_PROTOCOL)
        with ProcessPoolExecutor(
            workers, mp_context=spawn, initializer=_start_worker, initargs=(context_file,)
        ) as pool:
            yield from _ordered(pool, calls, workers)


def _ordered(
    pool: Executor,
    calls: Iterator[tuple[Callable[..., pa.Table], tuple[object, ...]]],
    workers: int,
) -> Iterator[pa.Table]:
    """The calls' results in call order; at most one call per worker waits, so memory stays
    bounded."""
    pending: deque[Future[pa.Table]] = deque()
    for function, arguments in calls:
        pending.append(pool.submit(function, *arguments))
        if len(pending) > workers:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _columns_sql() -> str:
    types = {
        "int64": "BIGINT",
        "string": "VARCHAR",
        "float": "FLOAT",
        "bool": "BOOLEAN",
    }
    return ", ".join(f'"{f.name}" {types[str(f.type)]}' for f in NARROW_SCHEMA)


def _batches(table: RawTable, batch_rows: int) -> Iterator[RawTable]:
    if isinstance(table, StreamedTable):
        yield from table.batches(batch_rows)
    else:
        yield table


def sorted_member(values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Which ``values`` are in ``wanted`` (sorted, unique): a binary search per value, so a
    pass over the file in batches costs the batches, not a sort of ``wanted`` per batch
    (as ``np.isin`` does).

    >>> sorted_member(np.array([1, 4, 9]), np.array([2, 4, 8])).tolist()
    [False, True, False]
    """
    if not len(wanted):
        return np.zeros(len(values), dtype=bool)
    position = np.minimum(np.searchsorted(wanted, values), len(wanted) - 1)
    return np.asarray(wanted[position] == values)


def raw_rows(
    table: RawTable, rows: np.ndarray, columns: list[str] | None, batch_rows: int = BATCH_ROWS
) -> pd.DataFrame:
    """The raw rows of ``table`` with these file row numbers (a pass over the file)."""
    wanted = np.unique(np.asarray(rows, dtype=np.int64))
    found = []
    if isinstance(table, StreamedTable):
        batches: Iterator[RawTable] = table.batches(batch_rows, columns)
    else:
        batches = iter([table])
    for batch in batches:
        frame = batch.frame
        keep = sorted_member(frame[ROW_COLUMN].to_numpy(dtype=np.int64), wanted)
        if keep.any():
            picked = frame.loc[keep]
            found.append(picked[[*(columns or picked.columns.drop(ROW_COLUMN)), ROW_COLUMN]])
    if not found:
        return pd.DataFrame(columns=[*(columns or []), ROW_COLUMN])
    return pd.concat(found, ignore_index=True)
