"""Fixtures shared by the pipeline tests (tests that run the job on generated data)."""

from __future__ import annotations

import pytest

from linkage.jobs import run_detection as run
from linkage.run_model import Run
from linkage.settings import Settings
from linkage.synth import generate, write_dataset


@pytest.fixture(scope="session")
def flagged_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A small generated run with a low flag threshold, so several campaigns are flagged."""
    folder = tmp_path_factory.mktemp("generated")
    write_dataset(generate(seed=3, scale=0.2), folder)
    return run(folder, Settings.from_dict({"score": {"flag_threshold": 0.3}}))
