"""The one exception family of the engine: every error we raise derives from LinkageError."""

from __future__ import annotations

from collections.abc import Iterable


class LinkageError(Exception):
    """Base class of every error the engine raises on purpose."""


class InputContractError(LinkageError):
    """The input folder breaks the data contract in a way that stops the run.

    All problems are collected first and reported together, so one run tells
    the user everything to fix.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            super().__init__(f"the input breaks the data contract: {self.problems[0]}")
            return
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(
            f"the input breaks the data contract ({len(self.problems)} problems):\n{lines}"
        )


class SettingsError(LinkageError):
    """A settings file is unreadable or names unknown or invalid settings."""


class Neo4jServerError(LinkageError):
    """The local Neo4j server could not be installed, started or reached."""


class GraphStoreError(LinkageError):
    """Talking to Neo4j failed (wrong password, server down, bad query)."""
