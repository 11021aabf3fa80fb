"""Cost curve of the main job: time and peak memory at 1M, 2M, 5M and 10M requests.

    .venv/bin/python bench/bench_scale.py                          # embedded engine (DuckDB)
    .venv/bin/python bench/bench_scale.py --engine spark --scales 6.4 64
    .venv/bin/python bench/bench_scale.py --scales 6.4 12.8        # a shorter curve

Each scale is generated once (``data/generated/bench-<scale>-<seed>-parquet``, the
generator makes ~157,000 requests per scale unit) and run by ``bench/bench_pipeline.py``
in a child process; one Markdown row per run: requests, accounts, wall time, the largest
process's peak memory and the whole process tree's, and the detection figures of
``linkage evaluate`` against the generator's labels (precision, recall, campaigns caught
and attributed, legitimate accounts flagged), which should not change with scale.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIELDS = {
    "requests": r"requests\s+([\d,]+)",
    "accounts": r"accounts\s+([\d,]+)",
    "wall": r"wall time\s+([\d.]+) s",
    "peak": r"peak memory \(RSS\)\s+([\d.]+) GiB",
    "tree": r"peak memory \(tree\)\s+([\d.]+) GiB",
    "stages": r"seconds per stage\s+(.*)",
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--scales", nargs="+", default=["6.4", "12.8", "32", "64"])
    parser.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    parser.add_argument("--seed", default="101")
    args = parser.parse_args()
    print(
        "| engine | scale | requests | accounts | wall (s) | peak RSS, largest process (GiB) "
        "| peak RSS, all processes (GiB) | precision | recall | caught | attributed "
        "| legitimate flagged |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for scale in args.scales:
        done = subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "bench_pipeline.py"),
                "--scale",
                scale,
                "--seed",
                args.seed,
                "--engine",
                args.engine,
                "--out",
                str(ROOT / "out" / f"bench-{args.engine}-{scale}"),
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        found = {k: re.search(p, done.stdout) for k, p in FIELDS.items()}
        if done.returncode != 0 or not all(found.values()):
            print(f"| {args.engine} | {scale} | failed: {done.stdout[-300:]} {done.stderr[-300:]}")
            continue
        values = {k: m.group(1) for k, m in found.items() if m}
        out = ROOT / "out" / f"bench-{args.engine}-{scale}"
        labels = (
            ROOT / "data" / "generated" / f"bench-{scale}-{args.seed}-parquet" / "labels.parquet"
        )
        print(
            f"| {args.engine} | {scale} | {values['requests']} | {values['accounts']} | "
            f"{values['wall']} | {values['peak']} | {values['tree']} | {quality(out, labels)} |",
            flush=True,
        )
        print(f"<!-- stages: {values['stages']} -->", flush=True)
    return 0


def quality(out: Path, labels: Path) -> str:
    """``linkage evaluate`` of one run, as table cells."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "linkage.cli",
            "evaluate",
            "--labels",
            str(labels),
            "--out",
            str(out),
        ],
        capture_output=True,
        check=True,
        cwd=ROOT,
    )
    figures = json.loads((out / "evaluation.json").read_text())
    total = figures["campaigns_total"]
    return (
        f"{figures['account_precision']:.4f} | {figures['account_recall']:.4f} | "
        f"{figures['campaigns_caught']}/{total} | "
        f"{figures['campaigns_attributed_correctly']}/{total} | {figures['false_positives']}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
