"""What every command shares: the two consoles, and how a failure reaches the user.

No traceback reaches a user. :class:`LinkageGroup`, the group class of the ``linkage``
command, turns every failure of every command into one line on stderr:

* an error the engine raises on purpose (:class:`~linkage.errors.LinkageError`) is
  printed as it is (it says what to do) and the exit code is 1;
* anything else (a bug, a full disk, ...) is one line naming the failure and the log
  file that holds the traceback, and the exit code is :data:`EXIT_UNEXPECTED`.

Log files go to ``$LINKAGE_LOG_DIR`` (default: ``linkage-logs`` in the temporary folder).
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from typer.core import TyperArgument, TyperGroup, TyperOption
from typer.exceptions import Abort, Exit, TyperException

from linkage import __version__
from linkage.errors import LinkageError

console = Console(stderr=True, soft_wrap=True)  # error lines stay whole (paths, names)
out = Console()

EXIT_ERROR = 1
"""A known failure: the message says what to do."""
EXIT_UNEXPECTED = 70
"""An unexpected failure (sysexits' EX_SOFTWARE): the message names the log file."""
EXIT_INTERRUPTED = 130
LOG_DIR_ENV = "LINKAGE_LOG_DIR"


def fail(error: Exception) -> typer.Exit:
    """Print ``error`` as one line on stderr; raise the returned Exit to end with code 1."""
    console.print(f"[bold red]error:[/] {error}", highlight=False)
    return typer.Exit(code=EXIT_ERROR)


def warn(message: str) -> None:
    """One warning line on stderr."""
    console.print(f"[bold yellow]warning:[/] {message}", highlight=False)


def log_dir() -> Path:
    """Where tracebacks of unexpected failures are written."""
    configured = os.environ.get(LOG_DIR_ENV)
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "linkage-logs"


def write_crash_log(error: BaseException) -> Path | None:
    """Write the traceback of ``error`` (with the command line and versions) to a new log file.

    Returns its path, or None when no log file could be written anywhere.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = (
        f"linkage {__version__} on Python {platform.python_version()} ({platform.platform()})\n"
        f"time: {stamp}\ncommand: {' '.join(sys.argv)}\n\n"
        + "".join(traceback.format_exception(type(error), error, error.__traceback__))
    )
    for folder in (log_dir(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"linkage-error-{stamp}-{os.getpid()}.log"
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return None


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def report_unexpected(error: BaseException) -> typer.Exit:
    """One line for a failure nobody planned for, the traceback in a log file."""
    log = write_crash_log(error)
    where = f"the traceback is in {log}" if log else "no log file could be written"
    if isinstance(error, OSError) and error.strerror:
        what = f"{error.strerror}: {error.filename}" if error.filename else error.strerror
        advice = "check the path, its permissions and the free disk space"
    else:
        what = f"{type(error).__name__}: {_one_line(error)}"
        advice = "please report it with that file"
    console.print(
        f"[bold red]error:[/] unexpected failure ({what}); {advice}; {where}", highlight=False
    )
    return typer.Exit(code=EXIT_UNEXPECTED)


class LinkageGroup(TyperGroup):
    """The ``linkage`` command group: every command's failure becomes one line (see module)."""

    def invoke(self, ctx: Any) -> Any:  # typer's own click Context
        try:
            return super().invoke(ctx)
        except (Exit, Abort, TyperException):  # exits, usage errors: typer prints them
            raise
        except LinkageError as error:
            raise fail(error) from None
        except KeyboardInterrupt:
            console.print("[bold red]interrupted[/]", highlight=False)
            raise typer.Exit(code=EXIT_INTERRUPTED) from None
        except Exception as error:
            raise report_unexpected(error) from None


def _usage_name(self: TyperArgument) -> str:
    """An argument in a usage line as ``NAME`` (typer 0.2x writes ``{name}``)."""
    name = (self.metavar or self.name or "").upper()
    return name if self.nargs == 1 else f"{name}..."


def _type_label(self: TyperOption, ctx: Any) -> str | None:
    """The type column of an option in --help: nothing for a flag (typer 0.2x shows ``<bool>``)."""
    if self.is_flag:
        return None
    if self.metavar is not None:
        return self.metavar
    label = self.display_type(ctx)
    return label if self.nargs == 1 else f"{label}..."


def tidy_help() -> None:
    """Usage lines and option tables as people read them: ``RUN_DIR``, and flags without type."""
    if hasattr(TyperArgument, "_usage_display_name"):
        TyperArgument._usage_display_name = _usage_name  # type: ignore[method-assign]
    if hasattr(TyperOption, "display_type_rich"):
        TyperOption.display_type_rich = _type_label  # type: ignore[method-assign]
