"""Benchmark of loading a run into Neo4j, over Bolt and with the bulk importer: rows/s.

Generates the ~1,000,000-request dataset (scale 10) unless given one, runs the main job
on it, then, on a Neo4j server of its own (``.neo4j-bench``, ports 27687/27474; the
user's ``.neo4j`` is never touched):

1. empties the database and loads the run over Bolt (``linkage neo4j load RUN``);
2. loads it over Bolt a second time (nothing changes: the cost of an idempotent reload);
3. rebuilds the database from it with ``neo4j-admin database import``
   (``linkage neo4j load RUN --bulk``); with ``--checksum``, checks that the graph is
   the same (``GraphStore.checksum()``, which reads the whole graph: minutes).

Rows are those of the run's graph tables that a load sends (the same count both ways),
and the seconds are each load's wall time from reading the run folder to a queryable
graph (for the bulk load: writing the CSV files, stopping the server, the import,
starting it again and building the indexes).

    .venv/bin/python bench/bench_neo4j_load.py                  # generate, run, load
    .venv/bin/python bench/bench_neo4j_load.py --input DIR      # an existing dataset
    .venv/bin/python bench/bench_neo4j_load.py --run out/bench  # an existing run folder
    .venv/bin/python bench/bench_neo4j_load.py --run out/bench-duckdb-64 --bulk-only
                                          # the 10M run: bulk import only (Bolt takes hours)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from linkage.graphdb import server as neo4j_server
from linkage.graphdb.bulk import bulk_load
from linkage.graphdb.loading import LoadReport
from linkage.graphdb.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
LINKAGE = [sys.executable, "-c", "from linkage.cli import app; app()"]


def _use_bench_server(home: Path, bolt_port: int, http_port: int) -> None:
    """A server of the benchmark's own: the loads empty the database."""
    os.environ["LINKAGE_NEO4J_HOME"] = str(home)
    os.environ["LINKAGE_NEO4J_BOLT_PORT"] = str(bolt_port)
    os.environ["LINKAGE_NEO4J_HTTP_PORT"] = str(http_port)
    for name in ("LINKAGE_NEO4J_URI", "LINKAGE_NEO4J_USER", "LINKAGE_NEO4J_PASSWORD"):
        os.environ.pop(name, None)


def _dataset(args: argparse.Namespace) -> Path:
    if args.input is not None:
        return Path(args.input)
    data = ROOT / "data" / "generated" / f"bench-{args.scale:g}-{args.seed}-{args.format}"
    if not (data / "scenario.json").is_file():
        started = time.perf_counter()
        command = [*LINKAGE, "generate", "--out", str(data), "--scale", str(args.scale)]
        command += ["--seed", str(args.seed), "--format", args.format]
        subprocess.run(command, check=True, cwd=ROOT)
        print(f"generated {data} in {time.perf_counter() - started:.1f} s")
    return data


def _print_report(title: str, report: LoadReport) -> None:
    print(f"\n{title}: {report.run_dir} ({report.run_id})")
    print(f"  {'step':<22}{'rows':>12}{'seconds':>10}{'rows/s':>12}")
    for step, load in report.steps.items():
        print(f"  {step:<22}{load.rows:>12,}{load.seconds:>10.1f}{load.rows_per_second:>12,.0f}")
    print(
        f"  {'total':<22}{report.rows:>12,}{report.seconds:>10.1f}{report.rows_per_second:>12,.0f}"
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--input", type=Path, help="dataset folder (default: generate one)")
    parser.add_argument("--run", type=Path, help="an existing run folder (skips the main job)")
    parser.add_argument("--scale", type=float, default=10.0, help="generator scale (10 ~ 1M)")
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--format", default="parquet", choices=["csv", "parquet"])
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "bench-neo4j")
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="batches in flight at once")
    parser.add_argument(
        "--all-links", action="store_true", help="load every link, not only those clustering used"
    )
    parser.add_argument("--home", type=Path, default=ROOT / ".neo4j-bench", help="server state")
    parser.add_argument("--bolt-port", type=int, default=27687)
    parser.add_argument("--http-port", type=int, default=27474)
    parser.add_argument(
        "--bulk-only", action="store_true", help="skip the Bolt loads (for a very large run)"
    )
    parser.add_argument(
        "--checksum",
        action="store_true",
        help="check that both graphs are equal (GraphStore.checksum(); slow on a big run)",
    )
    return parser.parse_args()


def main() -> int:
    args = _arguments()
    _use_bench_server(args.home, args.bolt_port, args.http_port)  # read when the server is used
    run_dir = args.run
    if run_dir is None:
        data = _dataset(args)
        started = time.perf_counter()
        command = [*LINKAGE, "run", "--input", str(data), "--out", str(args.out)]
        subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        print(f"ran the main job on {data} in {time.perf_counter() - started:.1f} s")
        run_dir = args.out

    started_here = neo4j_server.status() is None
    if started_here:
        neo4j_server.start(timeout_s=300)
    try:
        links = 0.0 if args.all_links else None
        if args.bulk_only:
            bulk = bulk_load(run_dir, min_link_strength=links)
            _print_report("bulk import (neo4j-admin database import full)", bulk)
            with GraphStore() as store:
                counts = store.counts()
            _print_graph_size(counts)
            return 0
        with GraphStore() as store:
            began = time.perf_counter()
            store.clear()
            print(f"cleared the database in {time.perf_counter() - began:.1f} s")
            options = {"batch_size": args.batch_size, "workers": args.workers}
            first = store.load_run(run_dir, min_link_strength=links, **options)
            _print_report("Bolt load", first)
            again = store.load_run(run_dir, min_link_strength=links, **options)
            _print_report("Bolt reload (no change)", again)
            counts = store.counts()
            over_bolt = store.checksum() if args.checksum else None
        bulk = bulk_load(run_dir, min_link_strength=links)
        _print_report("bulk import (neo4j-admin database import full)", bulk)
        _print_graph_size(counts)
        print(
            f"rows/s: Bolt {first.rows_per_second:,.0f}, bulk {bulk.rows_per_second:,.0f} "
            f"({first.rows:,} rows)"
        )
        if over_bolt is not None:
            with GraphStore() as store:
                same = store.checksum() == over_bolt and store.counts() == counts
            print(f"bulk graph == Bolt graph (checksum): {same}")
            if not same:
                return 1
    finally:
        if started_here:
            neo4j_server.stop()
    return 0


def _print_graph_size(counts: dict[str, int]) -> None:
    nodes = sum(n for key, n in counts.items() if key.startswith(":"))
    relationships = sum(n for key, n in counts.items() if key.startswith("["))
    print(f"\ngraph: {nodes:,} nodes, {relationships:,} relationships")


if __name__ == "__main__":
    raise SystemExit(main())
