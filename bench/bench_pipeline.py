"""Benchmark of the main job: wall time and peak memory, end to end, on a large generated dataset.

Target (issue 2): about 1,000,000 requests and 50,000 accounts in under 60 s
with under 4 GB peak memory on a 2-core machine.

    .venv/bin/python bench/bench_pipeline.py                 # generate scale 10, then run
    .venv/bin/python bench/bench_pipeline.py --input DIR     # an existing dataset

The run happens in a child process so that its peak resident memory is
measured on its own (not the generator's).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
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
        "--scale", type=float, default=10.0, help="generator scale (10 ~ 1M requests)"
    )
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

    started = time.perf_counter()
    child = subprocess.Popen(
        [*LINKAGE, "run", "--input", str(data), "--out", str(args.out)], cwd=ROOT
    )
    _, status, usage = os.wait4(child.pid, 0)  # the run's own rusage, not the generator's
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        print(f"linkage run failed with exit code {child.returncode}")
        return 1
    peak_kib = usage.ru_maxrss

    info = json.loads((args.out / "run.json").read_text())
    rows = info["rows"]
    print()
    print(f"dataset            {data}")
    print(f"accounts           {rows['accounts']['accepted']:,}")
    print(f"requests           {rows['requests']['accepted']:,}")
    print(f"wall time          {wall:.1f} s (target < 60 s; start-up and writing included)")
    print(f"peak memory (RSS)  {peak_kib / 1024 / 1024:.2f} GiB (target < 4 GiB)")
    print(
        "seconds per stage  " + ", ".join(f"{k} {v:.1f}" for k, v in info["stage_seconds"].items())
    )
    summary = info["summary"]
    print(f"clusters           {summary['clusters']:,} ({summary['flagged_clusters']} flagged)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
