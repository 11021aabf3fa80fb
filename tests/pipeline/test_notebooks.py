"""The notebooks in notebooks/: stored without outputs, and run headless from top to bottom.

Each notebook is executed with nbclient in a fresh kernel on a small generated run, with
``LINKAGE_RUN_DIR`` pointing at it and matplotlib on the Agg backend. The kernel is this
interpreter (the venv's), whatever other ``python3`` kernels the machine has. The Neo4j
notebook loads the run into the local server: `make test` starts it before pytest; run
alone, the test starts it (and stops it again). Neo4j Community has a single database, so
that test replaces the clusters of whatever run was loaded before.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import install as install_kernel_spec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbformat import NotebookNode

from linkage.graphdb.server import ServerInfo
from linkage.jobs import run_detection as run
from linkage.jobs import write_run_folder as write_run
from linkage.settings import Settings
from linkage.synth import generate, write_dataset

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"
EXPECTED_NOTEBOOKS = {"explore_run.ipynb", "investigate_neo4j.ipynb"}
CELL_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated dataset (three planted campaigns) and a run of it."""
    workspace = tmp_path_factory.mktemp("notebook_run")
    input_dir, run_dir = workspace / "input", workspace / "run"
    write_dataset(generate("default", seed=3, scale=0.1), input_dir, fmt="parquet")
    write_run(run(input_dir, Settings()), run_dir)
    campaigns = json.loads((run_dir / "campaigns.json").read_text(encoding="utf-8"))
    assert any(campaign["flagged"] for campaign in campaigns)
    return run_dir


@pytest.fixture(scope="module")
def kernels(tmp_path_factory: pytest.TempPathFactory) -> KernelSpecManager:
    """Kernel specs holding one kernel, ``python3``: this interpreter, with ipykernel."""
    prefix = tmp_path_factory.mktemp("jupyter")
    install_kernel_spec(kernel_name="python3", prefix=str(prefix))
    return KernelSpecManager(kernel_dirs=[str(prefix / "share" / "jupyter" / "kernels")])


def execute(name: str, kernels: KernelSpecManager, run_dir: Path, **env: str) -> NotebookNode:
    """Run every cell of notebooks/NAME in a fresh kernel; return the notebook with outputs.

    The kernel gets ``LINKAGE_RUN_DIR=run_dir``, the Agg backend and ``env`` on top of ours.

    Raises nbclient's CellExecutionError (with the cell and its traceback) when a cell fails.
    """
    notebook = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    kernel = KernelManager(kernel_name="python3", kernel_spec_manager=kernels)
    client = NotebookClient(
        notebook,
        km=kernel,
        timeout=CELL_TIMEOUT_S,
        startup_timeout=60,
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    client.execute(env={**os.environ, "LINKAGE_RUN_DIR": str(run_dir), "MPLBACKEND": "Agg", **env})
    return notebook


def outputs_text(notebook: NotebookNode, stream: str) -> str:
    """Everything the cells printed on one stream (stdout or stderr)."""
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == stream
    )


def html_tables(notebook: NotebookNode) -> int:
    """How many DataFrames the notebook displayed."""
    return sum(
        "<table" in output.get("data", {}).get("text/html", "")
        for cell in notebook.cells
        for output in cell.get("outputs", [])
    )


def test_notebooks_are_stored_without_outputs() -> None:
    notebooks = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    assert {path.name for path in notebooks} >= EXPECTED_NOTEBOOKS
    with_outputs = []
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
                with_outputs.append(f"{path.name} cell {index}")
    assert not with_outputs, (
        "notebooks are committed without outputs; clear them (JupyterLab: Edit > Clear "
        "Outputs of All Cells, then save; or `jupyter nbconvert --clear-output --inplace "
        f"notebooks/*.ipynb`): {with_outputs}"
    )


def test_explore_run_notebook_runs_headless(sample_run: Path, kernels: KernelSpecManager) -> None:
    notebook = execute("explore_run.ipynb", kernels, sample_run)
    printed = outputs_text(notebook, "stdout")
    assert f"run folder: {sample_run}" in printed  # LINKAGE_RUN_DIR used, nothing generated
    assert "requests from" in printed  # the timeline read the input folder's requests
    assert html_tables(notebook) >= 6
    assert outputs_text(notebook, "stderr") == ""


def test_explore_run_notebook_without_the_input_folder(
    sample_run: Path, kernels: KernelSpecManager, tmp_path: Path
) -> None:
    """The run's input folder is gone: the timeline falls back to the graph tables."""
    moved_run = tmp_path / "run"
    shutil.copytree(sample_run, moved_run)
    info = json.loads((moved_run / "run.json").read_text(encoding="utf-8"))
    info["input"] = str(tmp_path / "deleted-input")
    (moved_run / "run.json").write_text(json.dumps(info), encoding="utf-8")
    notebook = execute("explore_run.ipynb", kernels, moved_run)
    assert "first to last request per account" in outputs_text(notebook, "stdout")
    assert outputs_text(notebook, "stderr") == ""


def test_explore_run_notebook_makes_a_run_when_there_is_none(
    kernels: KernelSpecManager, tmp_path: Path
) -> None:
    # the notebook makes its run in a temporary folder: under tmp_path, which pytest cleans
    notebook = execute("explore_run.ipynb", kernels, tmp_path / "no-run", TMPDIR=str(tmp_path))
    printed = outputs_text(notebook, "stdout")
    assert "generating a small sample run" in printed
    assert "requests from" in printed
    assert outputs_text(notebook, "stderr") == ""


@pytest.mark.neo4j
def test_investigate_neo4j_notebook_runs_headless(
    sample_run: Path, kernels: KernelSpecManager, server: ServerInfo
) -> None:
    notebook = execute("investigate_neo4j.ipynb", kernels, sample_run)
    printed = outputs_text(notebook, "stdout")
    assert f"run folder: {sample_run}" in printed
    assert f"connected to {server.uri}" in printed
    assert html_tables(notebook) >= 8
    assert outputs_text(notebook, "stderr") == ""
