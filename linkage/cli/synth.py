"""`linkage generate`: synthetic provider logs with planted campaigns and labels."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from linkage.cli.common import console, out
from linkage.errors import LinkageError
from linkage.synth.adversary import KNOBS


def _adversary_help() -> str:
    """--adversary's help: every knob and what it does (one paragraph each in rich mode)."""
    knobs = "\n\n".join(f"[bold]{name}[/]: {what}." for name, what in KNOBS.items())
    return (
        "Comma-separated knobs of a careful adversary, applied to every planted campaign, "
        "or 'all' (default: none). Legitimate rows are the same with or without them.\n\n" + knobs
    )


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
        typer.Option(help="Size multiplier: 1.0 is about 6,400 accounts and 150,000 requests."),
    ] = 1.0,
    adversary: Annotated[str, typer.Option(help=_adversary_help())] = "",
    file_format: Annotated[
        str, typer.Option("--format", help="'csv' (opens anywhere) or 'parquet' (fast).")
    ] = "csv",
) -> None:
    """Write synthetic API-provider logs with planted campaigns and labels.

    The default scenario plants a reasoning harvest (Kestrel AI), an agentic
    swarm (Orca Intelligence) and a coding firehose (Tidewater Labs) among
    ordinary users (in many languages, countries and sign-up pathways; some ask
    for step-by-step answers, code or 1-10 ratings) and legitimate look-alikes:
    a university behind NAT, company teams with a shared card, families, a
    sign-up cohort, a popular prompt template, an honest heavy user, cloud
    developers, home IPs that are also proxy exits, cron jobs, product
    backends and nightly evaluation teams. labels.csv holds the truth,
    scenario.json the knobs, campaigns and groups.

    Example: linkage generate --out data/generated/hard --adversary all --seed 3
    """
    from linkage.io.run_folder import check_output_folder
    from linkage.synth import generate as make_dataset
    from linkage.synth import write_dataset

    check_output_folder(out_dir)
    try:
        with console.status(f"generating scenario {scenario!r} at scale {scale} (seed {seed})"):
            dataset = make_dataset(
                scenario=scenario, seed=seed, scale=scale, adversary=adversary or None
            )
            paths = write_dataset(dataset, out_dir, fmt=file_format)
    except ValueError as error:  # an unknown scenario or format: the message names it
        raise LinkageError(str(error)) from None
    out.print(f"wrote {len(paths)} files to {out_dir}")
    knobs = dataset.metadata["adversary"]["knobs"]
    out.print(f"  adversary knobs  {', '.join(knobs) if knobs else 'none'}")
    # counted while generating: len(dataset.tables["requests"]) would build the whole table
    for name, rows in dataset.metadata["rows"].items():
        out.print(f"  {name:16} {rows:>10,} rows")
