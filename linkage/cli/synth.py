"""`linkage generate`: synthetic provider logs with planted campaigns and labels."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from linkage.cli.common import console, out
from linkage.errors import LinkageError


def generate(
    out_dir: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="Folder to write the dataset into.")
    ],
    scenario: Annotated[
        str, typer.Option(help="Scenario to generate: 'default' or 'legit_only'.")
    ] = "default",
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same dataset.")] = 0,
    scale: Annotated[
        float,
        typer.Option(help="Size multiplier: 1.0 is about 5,000 accounts and 100,000 requests."),
    ] = 1.0,
    file_format: Annotated[
        str, typer.Option("--format", help="'csv' (opens anywhere) or 'parquet' (fast).")
    ] = "csv",
) -> None:
    """Write synthetic API-provider logs with planted campaigns and labels.

    The default scenario plants a reasoning harvest, an agentic swarm and a
    coding firehose among legitimate look-alikes (a university behind NAT,
    company teams with a shared card, families, a sign-up cohort, a popular
    prompt template, one honest heavy user). labels.csv holds the truth.
    """
    from linkage.io.run_folder import check_output_folder
    from linkage.synth import generate as make_dataset
    from linkage.synth import write_dataset

    check_output_folder(out_dir)
    try:
        with console.status(f"generating scenario {scenario!r} at scale {scale} (seed {seed})"):
            dataset = make_dataset(scenario=scenario, seed=seed, scale=scale)
            paths = write_dataset(dataset, out_dir, fmt=file_format)
    except ValueError as error:  # an unknown scenario or format: the message names it
        raise LinkageError(str(error)) from None
    tables = dataset.tables
    out.print(f"wrote {len(paths)} files to {out_dir}")
    for name in ("accounts", "requests", "payment_methods", "ip_intel", "indicators", "labels"):
        if name in tables:
            out.print(f"  {name:16} {len(tables[name]):>10,} rows")
