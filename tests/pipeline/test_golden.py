"""Golden outputs: the same input gives byte-identical outputs from one commit to the next.

The sample dataset (``linkage generate --seed 7 --scale 0.2``) is run with the default
settings and its contract outputs compared with ``tests/pipeline/golden/sample/``. A change that
is meant to change detection updates them on purpose:

    LINKAGE_UPDATE_GOLDEN=1 .venv/bin/pytest tests/pipeline/test_golden.py

and the diff of the golden files is then part of the review.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from linkage.jobs import run_job
from linkage.settings import Settings
from linkage.synth import generate, write_dataset

GOLDEN = Path(__file__).parent / "golden" / "sample"
FILES = ("clusters.csv", "campaigns.json", "takedown.csv", "indicators.stix.json")


@pytest.mark.slow
@pytest.mark.parametrize("file_name", FILES)
def test_outputs_match_the_golden_files(file_name: str, golden_run: Path) -> None:
    produced = (golden_run / file_name).read_bytes()
    if os.environ.get("LINKAGE_UPDATE_GOLDEN") == "1":
        (GOLDEN / file_name).write_bytes(produced)
    expected = (GOLDEN / file_name).read_bytes()
    assert produced == expected, f"{file_name} differs from {GOLDEN / file_name}"


@pytest.fixture(scope="module")
def golden_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("golden")
    write_dataset(generate("default", seed=7, scale=0.2), folder / "input")
    saved = os.environ.pop("LINKAGE_SHARING_KEY", None)  # the bundle under the demo key
    try:
        run_job(folder / "input", folder / "run", Settings())
    finally:
        if saved is not None:
            os.environ["LINKAGE_SHARING_KEY"] = saved
    return folder / "run"
