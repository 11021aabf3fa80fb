"""Takedown plan on a generated run: the plan and its exclusions split takedown.csv.

Split from ``tests/unit/test_takedown.py`` (whose other tests use a hand-made run folder):
this one runs the job on generated data.
"""

from __future__ import annotations

from pathlib import Path

from linkage.deliver.takedown import plan_takedown
from linkage.io.run_folder import read_run


def test_plan_from_a_real_run(tmp_path: Path) -> None:
    """A generated run: the plan and its exclusions split takedown.csv, nothing more or less."""
    from linkage.jobs import run_detection as run
    from linkage.jobs import write_run_folder as write_run
    from linkage.settings import Settings
    from linkage.synth import generate, write_dataset

    data = tmp_path / "data"
    write_dataset(generate(seed=3, scale=0.2), data)
    result = run(data, Settings.from_dict({"score": {"flag_threshold": 0.3}}))
    write_run(result, tmp_path / "out")
    manifest = plan_takedown(read_run(tmp_path / "out"))
    planned = [a["account_id"] for a in manifest["accounts"]]
    excluded = [e["account_id"] for e in manifest["excluded"]]
    assert planned, "the generated data plants campaigns; some accounts must be planned"
    assert sorted(planned + excluded) == sorted(result.takedown["account_id"])
    assert all(e["why"] for e in manifest["excluded"])
    assert manifest["blast_radius"]["accounts"] == len(planned)
