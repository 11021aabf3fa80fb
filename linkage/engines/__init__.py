"""Engines that hold the requests while a run needs them (see :mod:`linkage.detect.requests`).

``duckdb`` (the default) runs in-process: the batch map in a loop, the narrow rows in memory
up to a size, beyond it in a DuckDB database on disk (out of core, memory-capped), the SQL of
:mod:`linkage.detect.request_sql` as written. ``spark`` runs the same map in
``mapInArrow`` on Spark's executors and the same SQL, transpiled by sqlglot.
"""

from __future__ import annotations

from linkage.detect.requests import RequestEngine

ENGINES = ("duckdb", "spark")


def make_engine(name: str = "duckdb", master: str | None = None) -> RequestEngine:
    """A fresh engine by name (``master``: Spark's master or Spark Connect URL)."""
    if name == "duckdb":
        from linkage.engines.duckdb_engine import DuckDBEngine

        return DuckDBEngine()
    if name == "spark":
        from linkage.engines.spark_engine import SparkEngine

        return SparkEngine(master=master)
    raise ValueError(f"unknown engine {name!r} (expected one of {', '.join(ENGINES)})")
