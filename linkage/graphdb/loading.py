"""Loading a run folder over Bolt, apart from the driver: what a load reports, the run
folder's dataset and Run node, and the batches each table is sent in.

:class:`~linkage.graphdb.store.GraphStore` drives a load; the statements go through a
:class:`~linkage.graphdb.queries.QueryRunner`, so all of this runs without a server.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linkage.errors import GraphStoreError, LinkageError
from linkage.graphdb.queries import Query, QueryRunner
from linkage.graphdb.tables import Table
from linkage.io.run_folder import read_run
from linkage.run_model import Run

__all__ = [
    "UNKNOWN_DATASET",
    "BatchLoader",
    "LoadReport",
    "ProgressCallback",
    "StepLoad",
    "dataset_name",
    "read_run_folder",
    "run_properties",
]

ProgressCallback = Callable[[str, int, int], None]
"""Called after every batch with (step, rows done in the step, rows in the step)."""


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


class BatchLoader:
    """Sends a table as ``UNWIND $rows`` batches, each in a transaction of its own."""

    def __init__(
        self,
        runner: QueryRunner,
        run_id: str,
        report: LoadReport,
        batch_size: int,
        workers: int,
        progress: ProgressCallback | None,
    ) -> None:
        self.runner = runner
        self.run_id = run_id
        self.report = report
        self.batch_size = batch_size
        self.workers = workers
        self.progress = progress

    def send(self, step: str, query: Query, rows: Table, parallel: bool = False) -> None:
        """Send ``rows`` to ``query`` as ``$rows`` batches (and the load's ``$run_id``)."""
        load = self.report.steps.setdefault(step, StepLoad())
        total = load.rows + len(rows)
        began = time.perf_counter()

        def one(start: int) -> int:
            batch = rows.records(start, start + self.batch_size)
            params = {"rows": batch, "run_id": self.run_id}
            self.runner.write(query, params, f"loading {step}")
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
