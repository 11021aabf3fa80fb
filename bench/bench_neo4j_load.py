"""Benchmark of loading a run into Neo4j: rows per second per step and in total.

Generates the ~1,000,000-request dataset (scale 10) unless given one, runs the main
job on it, then loads the run folder into the local Neo4j server (started here if it
is not running, and stopped again afterwards) and loads it a second time (nothing
changes: the cost of an idempotent reload).

    .venv/bin/python bench/bench_neo4j_load.py                  # generate, run, load
    .venv/bin/python bench/bench_neo4j_load.py --input DIR      # an existing dataset
    .venv/bin/python bench/bench_neo4j_load.py --run out/bench  # an existing run folder

The Neo4j database is CLEARED first (Community has a single database).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from linkage.graphdb import server as neo4j_server
from linkage.graphdb.store import GraphStore, LoadReport

ROOT = Path(__file__).resolve().parent.parent
LINKAGE = [sys.executable, "-m", "linkage.cli"]


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


def main() -> int:
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
    args = parser.parse_args()

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
        neo4j_server.start()
    try:
        with GraphStore() as store:
            began = time.perf_counter()
            store.clear()
            print(f"cleared the database in {time.perf_counter() - began:.1f} s")
            options = {"batch_size": args.batch_size, "workers": args.workers}
            links = 0.0 if args.all_links else None
            first = store.load_run(run_dir, min_link_strength=links, **options)
            _print_report("first load", first)
            again = store.load_run(run_dir, min_link_strength=links, **options)
            _print_report("second load (no change)", again)
            counts = store.counts()
        nodes = sum(n for key, n in counts.items() if key.startswith(":"))
        relationships = sum(n for key, n in counts.items() if key.startswith("["))
        print(f"\ngraph: {nodes:,} nodes, {relationships:,} relationships")
    finally:
        if started_here:
            neo4j_server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
