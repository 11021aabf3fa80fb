"""`linkage convert ...`: other tools' datasets as an input folder of the data contract."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from linkage.cli.common import out

app = typer.Typer(
    help=(
        "Convert another tool's dataset into an input folder of the data contract, with "
        "its labels beside the inputs for `linkage evaluate`.\n\n"
        "  linkage convert glasswally data/external/glasswally/labeled_5k.jsonl "
        "data/generated/glasswally"
    ),
    no_args_is_help=True,
)


@app.command("glasswally")
def glasswally(
    src: Annotated[
        Path,
        typer.Argument(
            metavar="SRC", help="Glasswally labelled JSONL file (one API event per line)."
        ),
    ],
    out_dir: Annotated[
        Path,
        typer.Argument(
            metavar="OUT_DIR", help="Folder to write the input tables and labels.csv into."
        ),
    ],
) -> None:
    """Convert a Glasswally labelled JSONL file into an input folder with labels.

    Writes accounts.csv, requests.csv, ip_intel.csv and labels.csv. A request's
    prompt is its system prompt, a blank line, then the user prompt. An
    account's created_at is its first event (Glasswally has no sign-up time).
    Each client IP is a /32 ip_intel row with its ASN and AS org (kind left
    empty). labels.csv holds campaign_label as campaign_id and the group
    (campaign or benign). A line that cannot be converted stops the conversion
    with its line number, and nothing is written. The full mapping is in
    data/external/glasswally/README.md.

    Example:

      linkage convert glasswally data/external/glasswally/labeled_5k.jsonl data/generated/glasswally
    """
    from linkage.io.glasswally import write_glasswally_input

    counts = write_glasswally_input(src, out_dir)
    out.print(f"wrote {len(counts)} files to {out_dir}")
    for name, rows in counts.items():
        out.print(f"  {name + '.csv':16} {rows:>10,} rows")
    out.print(f"next: linkage run --input {out_dir} --out RUN_DIR")
    out.print(f"      linkage evaluate --labels {out_dir / 'labels.csv'} --out RUN_DIR")
