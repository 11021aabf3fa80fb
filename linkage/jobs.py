"""The main job: an input folder in, a run folder out.

Reads the input (:mod:`linkage.io.input_folder`), runs detection
(:mod:`linkage.detect.pipeline`), renders the report and the STIX bundle
(:mod:`linkage.deliver`) and writes everything (:mod:`linkage.io.run_folder`).
Everything that can be checked about the outputs (the run folder, the sharing key, the
redaction key) is checked before detection starts, so no compute is lost to a bad path.
"""

from __future__ import annotations

import dataclasses
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd

from linkage import __version__
from linkage.deliver.report import render_report
from linkage.deliver.stix import DEMO_WARNING, build_bundle, bundle_json, sharing_key_from_env
from linkage.detect.pipeline import StageCallback, StageTimer, run_pipeline
from linkage.engines import make_engine
from linkage.io.input_folder import read_input_folder
from linkage.io.privacy import redact_run, redaction_key_from_env
from linkage.io.run_folder import check_output_folder, write_run
from linkage.run_model import Run
from linkage.settings import Settings

REPORT_FILE = "report.html"
STIX_FILE = "indicators.stix.json"


def run_detection(
    input_dir: Path,
    settings: Settings,
    previous_clusters: pd.DataFrame | None = None,
    on_stage: StageCallback | None = None,
    engine: str = "duckdb",
    master: str | None = None,
) -> Run:
    """Read ``input_dir`` and run the pipeline; fill the run's ``info`` for run.json.

    ``engine`` holds the requests while the run needs them (:mod:`linkage.engines`:
    ``duckdb`` in-process, or ``spark`` at ``master``)."""
    started = datetime.now(UTC)
    timer = StageTimer(on_stage)
    with timer.stage("read"):
        raw = read_input_folder(input_dir)
    request_engine = make_engine(engine, master)
    try:
        run = run_pipeline(raw, settings, previous_clusters, timer, request_engine)
    finally:
        request_engine.close()
    run.info = {
        "engine": "linkage",
        "engine_version": __version__,
        "started_at": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "input": str(input_dir),
        "previous_run_used": previous_clusters is not None,
        **run.info,
        "stage_seconds": timer.timings,
        "total_seconds": round(sum(timer.timings.values()), 3),
        "versions": _versions(),
        "settings": settings.to_dict(),
    }
    return run


def write_run_folder(
    run: Run,
    out_dir: Path,
    sharing: tuple[bytes, bool] | None = None,
    redaction_key: bytes | None = None,
) -> dict[str, Path]:
    """Render the report and the STIX bundle and write the whole run folder.

    ``sharing`` is (key, whether it is the demo key), as :func:`sharing_key_from_env` gives.
    With ``redaction_key`` every output but the STIX bundle (keyed hashes of the raw
    values, for partners to match) is written from the redacted run
    (:func:`~linkage.io.privacy.redact_run`).
    """
    sharing_key, demo_key = sharing or sharing_key_from_env()
    if demo_key:
        notes = [*run.info.get("notes", []), f"{STIX_FILE}: {DEMO_WARNING}"]
        run = dataclasses.replace(run, info={**run.info, "notes": notes})
    stix = bundle_json(build_bundle(run, sharing_key))
    if redaction_key is not None:
        run = redact_run(run, redaction_key)
    documents = {"report": (REPORT_FILE, render_report(run)), "stix": (STIX_FILE, stix)}
    return write_run(run, out_dir, documents)


def run_job(
    input_dir: Path,
    out_dir: Path,
    settings: Settings,
    previous_clusters: pd.DataFrame | None = None,
    on_stage: StageCallback | None = None,
    redact: bool = False,
    engine: str = "duckdb",
    master: str | None = None,
) -> Run:
    """The whole main job: detection on ``input_dir``, every output in ``out_dir``.

    ``redact`` writes keyed pseudonyms instead of personal identifiers (key from
    ``$LINKAGE_REDACTION_KEY``). A bad output folder or key stops before any work is done.
    """
    check_output_folder(out_dir)
    sharing_key = sharing_key_from_env()
    redaction_key = redaction_key_from_env() if redact else None
    run = run_detection(input_dir, settings, previous_clusters, on_stage, engine, master)
    if on_stage:
        on_stage("writing outputs")
    write_run_folder(run, out_dir, sharing_key, redaction_key)
    return run


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "linkage": __version__}
    for package in ("pandas", "numpy", "pyarrow", "duckdb", "networkx", "python-louvain"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions
