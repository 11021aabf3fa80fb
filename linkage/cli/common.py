"""What every command shares: the two consoles and turning our errors into exit code 1."""

from __future__ import annotations

import typer
from rich.console import Console

console = Console(stderr=True, soft_wrap=True)  # error lines stay whole (paths, names)
out = Console()


def fail(error: Exception) -> typer.Exit:
    """Print ``error`` as one line on stderr; raise the returned Exit to end with code 1."""
    console.print(f"[bold red]error:[/] {error}", highlight=False)
    return typer.Exit(code=1)
