"""The generated dataset and how it is written to files.

Examples
--------
>>> dataset = GeneratedDataset(tables={"labels": pd.DataFrame({"account_id": ["acct_1"]})})
>>> dataset["labels"]["account_id"].tolist()
['acct_1']
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from linkage.synth.store import RequestStore

TABLES: tuple[str, ...] = (
    "accounts",
    "requests",
    "payment_methods",
    "ip_intel",
    "indicators",
    "labels",
)
"""Names of the tables :func:`generate` returns, in writing order."""


class LazyTables(MutableMapping[str, pd.DataFrame]):
    """Tables by name, some built only when first asked for (then kept).

    Large datasets are written without ever building their requests DataFrame. A
    table may be replaced (e.g. requests cut at some time); :func:`write_dataset`
    then writes the replacement.
    """

    def __init__(
        self,
        ready: dict[str, pd.DataFrame],
        later: dict[str, Callable[[], pd.DataFrame]],
        order: tuple[str, ...],
    ) -> None:
        self._ready = dict(ready)
        self._later = dict(later)
        self._order = order
        self._replaced: set[str] = set()

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._ready:
            self._ready[name] = self._later.pop(name)()
        return self._ready[name]

    def __setitem__(self, name: str, table: pd.DataFrame) -> None:
        if name not in self._order:
            raise KeyError(name)
        self._later.pop(name, None)
        self._ready[name] = table
        self._replaced.add(name)

    def __delitem__(self, name: str) -> None:
        raise TypeError("a generated dataset keeps all its tables")

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def replaced(self, name: str) -> bool:
        """Whether ``name`` was set by the caller after generation."""
        return name in self._replaced


@dataclass
class GeneratedDataset:
    """A generated dataset: the contract's tables plus a description of the scenario.

    Attributes
    ----------
    tables
        ``accounts``, ``requests``, ``payment_methods``, ``ip_intel``,
        ``indicators`` and ``labels`` as pandas DataFrames with the contract's
        column names. Timestamps are ``datetime64[us, UTC]``. ``labels`` has an
        extra ``group`` column (``campaign`` or the legitimate group's name).
    metadata
        JSON-ready dict: scenario, seed, scale, adversary knobs, window start/end,
        the planted campaigns (id, organisation, first/last request, account and
        request counts) and per-group account/request counts. ``write_dataset``
        saves it as ``scenario.json``.
    truth
        Ground truth kept in memory only (never written, never for detection):
        ``truth["requests"]`` holds each request's ``kind`` (chat, code, reason,
        rate, ...), ``language`` and ``intent`` (the distillation intent of a
        campaign request: reason, grade, rewrite, agent_tools, agent_computer,
        code_agent; missing for benign ones, camouflage included), row for row
        with ``tables["requests"]``.

    requests
        When set, the requests as Arrow chunks: :func:`write_dataset` streams them
        from here, a time slice at a time, unless ``tables["requests"]`` was replaced.
    """

    tables: Mapping[str, pd.DataFrame]
    metadata: dict[str, Any] = field(default_factory=dict)
    truth: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    requests: RequestStore | None = None

    def __getitem__(self, name: str) -> pd.DataFrame:
        """Return the table called ``name``."""
        return self.tables[name]


def _arrow_table(df: pd.DataFrame, iso_timestamps: bool) -> pa.Table:
    """DataFrame -> Arrow table; timestamps optionally as ``YYYY-MM-DDTHH:MM:SSZ`` strings."""
    columns: dict[str, pa.Array] = {}
    for name in df.columns:
        col = df[name]
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            naive = col.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[s]")
            if iso_timestamps:
                columns[name] = pa.array(np.datetime_as_string(naive, unit="s", timezone="UTC"))
            else:
                columns[name] = pa.array(naive).cast(pa.timestamp("s", tz="UTC"))
        else:
            columns[name] = pa.Array.from_pandas(col)
    return pa.table(columns)


def write_dataset(dataset: GeneratedDataset, out_dir: Path | str, fmt: str = "csv") -> list[Path]:
    """Write a generated dataset as one file per table plus ``scenario.json``.

    Parameters
    ----------
    dataset
        What :func:`generate` returned.
    out_dir
        Folder to write into (created if missing; existing files are overwritten).
    fmt
        ``"csv"`` (UTF-8, header row, timestamps like ``2026-10-03T14:05:09Z``,
        nulls as empty fields) or ``"parquet"`` (timestamps as UTC timestamps).

    Returns
    -------
    list[pathlib.Path]
        The files written: the six tables in :data:`TABLES` order, then ``scenario.json``.

    Raises
    ------
    ValueError
        ``fmt`` is neither ``"csv"`` nor ``"parquet"``.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown format {fmt!r}; choose 'csv' or 'parquet'")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in TABLES:
        path = out / f"{name}.{fmt}"
        store = dataset.requests if name == "requests" and _streamed(dataset) else None
        if store is not None:
            _write_slices((r for r, _ in store.slices(csv=fmt == "csv")), path, fmt)
        else:
            table = _arrow_table(dataset.tables[name], iso_timestamps=fmt == "csv")
            _write_slices(iter([table]), path, fmt)
        written.append(path)
    meta_path = out / "scenario.json"
    meta_path.write_text(json.dumps(dataset.metadata, indent=2) + "\n", encoding="utf-8")
    written.append(meta_path)
    return written


def _streamed(dataset: GeneratedDataset) -> bool:
    """Whether the requests are written from the Arrow store (not replaced by the caller)."""
    replaced = isinstance(dataset.tables, LazyTables) and dataset.tables.replaced("requests")
    return dataset.requests is not None and not replaced


def _write_slices(slices: Iterator[pa.Table], path: Path, fmt: str) -> None:
    """Write tables of one schema, one after the other, as one file (a row group each)."""
    first = next(slices)
    if fmt == "csv":
        with pacsv.CSVWriter(path, first.schema) as csv_writer:
            for table in itertools.chain([first], slices):
                csv_writer.write_table(table)
    else:
        with pq.ParquetWriter(path, first.schema, compression="zstd") as pq_writer:
            for table in itertools.chain([first], slices):
                pq_writer.write_table(table)
