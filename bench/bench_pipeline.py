"""Benchmark of the main job: wall time and peak memory, end to end, on a large generated dataset.

Targets: about 1,000,000 requests (scale 4.4, ~30,000 accounts) in under 60 s with under
4 GB peak memory on a 2-core machine; 10,000,000 (scale 44) in under 5 min and 8 GB.

    .venv/bin/python bench/bench_pipeline.py                   # generate scale 4.4, then run
    .venv/bin/python bench/bench_pipeline.py --scale 44        # ~10M requests
    .venv/bin/python bench/bench_pipeline.py --engine spark    # the same on Spark, local[2]
    .venv/bin/python bench/bench_pipeline.py --input DIR       # an existing dataset

The run happens in a child process so that its peak resident memory is measured on its
own (not the generator's). Two memory figures: the run's largest process (``ru_maxrss``
of the child and its descendants, what ``/usr/bin/time -v`` reports) and the sum over the
whole process tree (the main process, the batch map's worker processes, Spark's JVM and
Python workers), sampled every 0.2 s.

The shared 2-core hosts we measure on change speed by up to half from one minute to the
next, so the benchmark also times a fixed loop of Python before and after the run
(``host speed``): about 0.4 s on a quiet host, 0.8 s on a busy one. Compare runs made
at similar host speeds.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINKAGE = [sys.executable, "-m", "linkage.cli"]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--input", type=Path, help="dataset folder (default: generate one)")
    parser.add_argument(
        "--scale", type=float, default=4.4, help="generator scale (4.4 ~ 1M requests)"
    )
    parser.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    parser.add_argument("--master", help="Spark master (default local[2])")
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--format", default="parquet", choices=["csv", "parquet"])
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "bench")
    args = parser.parse_args()

    data = args.input
    if data is None:
        data = ROOT / "data" / "generated" / f"bench-{args.scale:g}-{args.seed}-{args.format}"
        if not (data / "scenario.json").is_file():
            started = time.perf_counter()
            subprocess.run(
                [
                    *LINKAGE,
                    "generate",
                    "--out",
                    str(data),
                    "--scale",
                    str(args.scale),
                    "--seed",
                    str(args.seed),
                    "--format",
                    args.format,
                ],
                check=True,
                cwd=ROOT,
            )
            print(f"generated {data} in {time.perf_counter() - started:.1f} s")

    speed_before = reference_loop_seconds()
    command = [*LINKAGE, "run", "--input", str(data), "--out", str(args.out)]
    command += ["--engine", args.engine] + (["--master", args.master] if args.master else [])
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT)
    sampler = TreeMemory(child.pid)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)  # the run's own rusage, not the generator's
    wall = time.perf_counter() - started
    sampler.stop()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        print(f"linkage run failed with exit code {child.returncode}")
        return 1
    peak_kib = usage.ru_maxrss
    speed_after = reference_loop_seconds()

    info = json.loads((args.out / "run.json").read_text())
    rows = info["rows"]
    print()
    print(f"dataset            {data}")
    print(f"accounts           {rows['accounts']['accepted']:,}")
    print(f"requests           {rows['requests']['accepted']:,}")
    print(f"engine             {args.engine}")
    print(f"wall time          {wall:.1f} s (start-up and writing included)")
    print(f"peak memory (RSS)  {peak_kib / 1024 / 1024:.2f} GiB (largest process)")
    print(f"peak memory (tree) {sampler.peak / 1024**3:.2f} GiB (all processes, sampled)")
    print(
        "seconds per stage  " + ", ".join(f"{k} {v:.1f}" for k, v in info["stage_seconds"].items())
    )
    print(
        f"host speed         reference loop {speed_before:.2f} s before, {speed_after:.2f} s "
        "after (about 0.4 s on a quiet host)"
    )
    summary = info["summary"]
    print(f"clusters           {summary['clusters']:,} ({summary['flagged_clusters']} flagged)")
    return 0


def reference_loop_seconds() -> float:
    """Seconds for a fixed loop of ten million Python additions."""
    started = time.perf_counter()
    total = 0
    for value in range(10_000_000):
        total += value
    return time.perf_counter() - started


class TreeMemory(threading.Thread):
    """Samples the summed resident memory of a process and all its descendants."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self._done = threading.Event()

    def stop(self) -> None:
        self._done.set()
        self.join()

    def run(self) -> None:
        while not self._done.wait(0.2):
            self.peak = max(self.peak, _tree_rss(self.pid))


def _tree_rss(root: int) -> int:
    """Bytes resident in ``root`` and its descendants (from /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(fields[1])
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total


if __name__ == "__main__":
    raise SystemExit(main())
