"""The ``linkage`` command line: one module per command group, ``app`` puts them together."""

from linkage.cli.app import app, main

__all__ = ["app", "main"]
