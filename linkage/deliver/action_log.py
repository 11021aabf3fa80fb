"""The applied state of a takedown manifest: its actions, their inverses, a write-ahead journal.

Beside a manifest ``NAME.json``, ``linkage takedown apply --execute`` keeps three files:

``NAME.actions.csv``
    ``account_id,action,cluster_id,reason,manifest_id``: what the enforcement system
    consumes. This file *is* the applied state: an (account, action) pair already in it
    is never written again, whichever audit log is named and however the manifest was
    edited since.
``NAME.revert.csv``
    the inverse of every action (``unsuspend``), same columns.
``NAME.journal.jsonl``
    the write-ahead journal: an ``intent`` record (the batch of actions about to be
    written) is made durable before any action row is appended, and a ``done`` record
    after the rows and the audit records are. An intent without its ``done`` is a batch
    that was interrupted; the next apply completes it, appending only the rows that are
    missing, so a crash at any point never duplicates an action nor loses one.

A half-written last line (a crash in the middle of a write) is cut off before anything
is appended. Only one apply at a time may hold the journal (an exclusive lock).
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linkage.errors import LinkageError

ACTION_COLUMNS = ["account_id", "action", "cluster_id", "reason", "manifest_id"]
REVERT_ACTION = {"suspend": "unsuspend"}


class ActionLogError(LinkageError):
    """The actions, revert or journal file of a manifest is damaged or busy."""


@dataclass
class Intent:
    """A batch of actions recorded in the journal before being written."""

    batch: str
    actions: list[dict[str, str]]
    record: dict[str, Any]


def revert_of(action: dict[str, str], manifest_id: str) -> dict[str, str]:
    """The row that undoes ``action``."""
    return {
        **action,
        "action": REVERT_ACTION[action["action"]],
        "reason": f"revert of takedown manifest {manifest_id} ({action['action']})",
    }


def _complete_lines(path: Path) -> list[str]:
    """The lines of ``path`` that were written whole (a torn last line is left out)."""
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    return lines[:-1]  # the part after the last newline is empty or torn


def _cut_torn_tail(path: Path) -> None:
    """Truncate ``path`` after its last newline (drops a half-written last line)."""
    if not path.is_file():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        with path.open("r+b") as handle:
            handle.truncate(data.rfind(b"\n") + 1)
            handle.flush()
            os.fsync(handle.fileno())


def _append_durably(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


class ActionLog:
    """The actions file, revert file and journal of one manifest (see module docstring)."""

    def __init__(self, actions_csv: Path, revert_csv: Path, journal: Path) -> None:
        self.actions_csv = actions_csv
        self.revert_csv = revert_csv
        self.journal = journal

    # --- reading ---------------------------------------------------------------------------

    def rows(self, path: Path | None = None) -> list[dict[str, str]]:
        """The complete rows of the actions file (or of ``path``, e.g. the revert file)."""
        path = path or self.actions_csv
        lines = _complete_lines(path)
        if not lines:
            return []
        reader = csv.DictReader(io.StringIO("\n".join(lines) + "\n"))
        if reader.fieldnames != ACTION_COLUMNS:
            raise ActionLogError(
                f"{path} does not start with the header {','.join(ACTION_COLUMNS)}; "
                "it must not be edited by hand (move it away to start afresh)"
            )
        return list(reader)

    def taken(self, path: Path | None = None) -> set[tuple[str, str]]:
        """(account_id, action) pairs already written."""
        return {(r["account_id"], r["action"]) for r in self.rows(path)}

    def records(self) -> list[dict[str, Any]]:
        records = []
        lines = _complete_lines(self.journal)
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                raise ActionLogError(
                    f"journal {self.journal} line {number} is not JSON; it must not be edited "
                    "by hand"
                ) from None
        return records

    def unfinished(self) -> list[Intent]:
        """Intents whose batch has no ``done`` record: interrupted applies."""
        records = self.records()
        done = {r.get("batch") for r in records if r.get("event") == "done"}
        return [
            Intent(str(r["batch"]), list(r.get("actions", [])), r)
            for r in records
            if r.get("event") == "intent" and r.get("batch") not in done
        ]

    # --- writing (under :meth:`locked`) ----------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the journal exclusively; cut any half-written last line first."""
        self.journal.parent.mkdir(parents=True, exist_ok=True)
        with self.journal.open("a", encoding="utf-8") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ActionLogError(
                    f"another `linkage takedown apply` holds {self.journal}; wait for it to end"
                ) from None
            try:
                for path in (self.journal, self.actions_csv, self.revert_csv):
                    _cut_torn_tail(path)
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def begin(self, batch: str, actions: list[dict[str, str]], meta: dict[str, Any]) -> None:
        """Record the intent to write ``actions`` (durably, before any of them is written)."""
        record = {"event": "intent", "batch": batch, **meta, "actions": actions}
        _append_durably(self.journal, json.dumps(record, ensure_ascii=False) + "\n")

    def finish(self, batch: str, ts: str) -> None:
        _append_durably(
            self.journal, json.dumps({"event": "done", "batch": batch, "ts": ts}) + "\n"
        )

    def write(self, actions: list[dict[str, str]], manifest_id: str) -> None:
        """Append the actions and their reverts that are not in their files yet."""
        self._append_missing(self.actions_csv, actions)
        self._append_missing(self.revert_csv, [revert_of(a, manifest_id) for a in actions])

    def _append_missing(self, path: Path, rows: list[dict[str, str]]) -> None:
        present = self.taken(path)
        missing = [r for r in rows if (r["account_id"], r["action"]) not in present]
        if not missing:
            return
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=ACTION_COLUMNS, lineterminator="\n")
        if not path.is_file() or path.stat().st_size == 0:
            writer.writeheader()
        writer.writerows({c: r.get(c, "") for c in ACTION_COLUMNS} for r in missing)
        _append_durably(path, buffer.getvalue())
