"""The ``linkage`` command line: parse, call the library, print; every failure is one line.

Start with ``linkage --help``; every command has its own ``--help``. One module per
command group: ``job`` (run, settings), ``synth`` (generate), ``evaluation``
(evaluate), ``graph`` (neo4j ...), ``takedown`` (takedown ...), ``convert`` (convert
...). Failures of any command are turned into one line and an exit code by
:class:`~linkage.cli.common.LinkageGroup`, once for all of them.
"""

from __future__ import annotations

import typer

from linkage.cli import convert, evaluation, graph, job, synth, takedown
from linkage.cli.common import LinkageGroup, tidy_help

tidy_help()

app = typer.Typer(
    cls=LinkageGroup,
    help=(
        "Find distillation campaigns: link accounts that share payment methods, IPs, "
        "prompt templates and timing; cluster them into hydras; score, attribute, take down.\n\n"
        "Typical session:\n\n"
        "  linkage generate --out data/generated/demo   # logs with planted campaigns\n\n"
        "  linkage run --input data/generated/demo --out out/demo\n\n"
        "  linkage takedown plan out/demo               # the takedown manifest to review\n\n"
        "  linkage evaluate --labels data/generated/demo/labels.csv --out out/demo\n\n"
        "Exit codes: 0 done, 1 a known problem (the message says what to do), 2 a usage "
        "error, 70 an unexpected failure (the message names the log file with the traceback)."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
app.command()(synth.generate)
app.command()(job.run)
app.command()(evaluation.evaluate)
app.command("settings")(job.show_settings)
app.add_typer(graph.app, name="neo4j")
app.add_typer(takedown.app, name="takedown")
app.add_typer(convert.app, name="convert")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
