"""A run's graph as ``neo4j-admin database import`` takes it: typed CSV files.

:mod:`linkage.graphdb.bulk` builds a :class:`BulkGraph` from a run (nodes per label,
relationships per type, merged the way the Bolt loader's MERGE statements merge them);
this module types its property columns as the Bolt loader would store the values and
writes one CSV file per label and per relationship type (``:ID`` / ``:START_ID`` /
``:END_ID`` headers, every property typed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute
import pyarrow.csv

from linkage.errors import GraphStoreError
from linkage.graphdb import tables

__all__ = ["BulkGraph", "write_csv_files"]


# ------------------------------------------------------------------------- property types


def _value_type(values: Iterable[object], where: str) -> str:
    """The one CSV type of the non-null Python values of an object column."""
    found: set[str] = set()
    for value in values:
        if isinstance(value, bool | np.bool_):
            found.add("boolean")
        elif isinstance(value, Integral):
            found.add("long")
        elif isinstance(value, Real):
            found.add("double")
        else:
            found.add("string")
    if len(found) > 1:
        # the Bolt loader would store each value with its own type: no single header can
        raise GraphStoreError(f"cannot bulk-load {where}: its values mix {sorted(found)}")
    return found.pop() if found else "string"


_INFERRED = {
    "string": "string",
    "empty": "string",
    "integer": "long",
    "floating": "double",
    "boolean": "boolean",
}


def _column_type(series: pd.Series, name: str, where: str) -> str:
    """The import type of a property column, as the Bolt loader would store its values."""
    if name in tables.TEMPORAL:
        return "datetime"
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "long"
    if pd.api.types.is_float_dtype(dtype):
        return "double"
    if tables.is_datetime(series):
        return "string"  # sent as ISO text, not wrapped in datetime()
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return "string"  # pandas' str dtype holds strings only
    inferred = _INFERRED.get(pd.api.types.infer_dtype(series, skipna=True))
    return inferred or _value_type(series.dropna().tolist(), f"{where}.{name}")


def _typed(series: pd.Series, kind: str) -> pd.Series:
    """A column in the dtype that keeps its type through outer merges (NA, not NaN)."""
    if kind == "long":
        return series.astype("Int64")
    if kind == "boolean":
        return series.astype("boolean")
    if kind == "double":
        return series.astype("float64")
    if tables.is_datetime(series):
        return pd.Series(tables.iso_times(series), index=series.index, dtype=object)
    return series.astype(object).where(series.notna(), None)


# -------------------------------------------------------------------------------- graph


@dataclass
class _Entities:
    """Nodes of one label, or relationships of one type, as one frame and its types."""

    frame: pd.DataFrame
    types: dict[str, str]
    start: str = ""  # relationships: the start node's label
    end: str = ""  # relationships: the end node's label


@dataclass
class BulkGraph:
    """A run's graph as the importer takes it: nodes per label, relationships per type."""

    nodes: dict[str, _Entities] = field(default_factory=dict)
    relationships: dict[str, _Entities] = field(default_factory=dict)
    rows: int = 0
    """Rows of the tables the graph was built from (what a Bolt load would send)."""

    def add_nodes(self, label: str, frame: pd.DataFrame, keys: tuple[str, ...]) -> None:
        """Nodes keyed by ``keys`` (their ``_id`` column is the import id); merged with the
        nodes of the label added before, as MERGE ... SET merges them."""
        part, types = self._part(frame, f":{label}", ("_id", *keys))
        part = part.drop_duplicates("_id", keep="last")
        known = self.nodes.get(label)
        if known is None:
            self.nodes[label] = _Entities(part, types)
            return
        on = ["_id", *keys]
        clash = (set(part.columns) & set(known.frame.columns)) - set(on)
        if clash:  # the load statements never set one property from two steps
            raise GraphStoreError(f":{label} properties {sorted(clash)} come from two steps")
        merged = known.frame.merge(part, on=on, how="outer", sort=False)
        self.nodes[label] = _Entities(merged, {**known.types, **types})

    def add_relationships(
        self,
        rel_type: str,
        start: str,
        end: str,
        frame: pd.DataFrame,
        unique: tuple[str, ...] = ("_start", "_end"),
    ) -> None:
        """Relationships with ``_start``/``_end`` ids; as MERGE does, one per ``unique``."""
        part, types = self._part(frame, f"[{rel_type}]", ("_start", "_end"))
        part = part.drop_duplicates(list(unique), keep="last")
        if rel_type in self.relationships:
            raise GraphStoreError(f"[{rel_type}] relationships come from two steps")
        self.relationships[rel_type] = _Entities(part, types, start, end)

    @staticmethod
    def _part(
        frame: pd.DataFrame, where: str, ids: tuple[str, ...]
    ) -> tuple[pd.DataFrame, dict[str, str]]:
        missing = [name for name in ids if name not in frame.columns]
        if missing:
            raise GraphStoreError(f"{where} rows lack {missing}")
        types = {
            name: _column_type(frame[name], name, where)
            for name in frame.columns
            if not name.startswith("_")
        }
        columns = {
            name: (
                frame[name].astype("str").to_numpy()
                if name.startswith("_")
                else _typed(frame[name], types[name]).to_numpy()
            )
            for name in frame.columns
        }
        return pd.DataFrame(columns), types

    def drop_dangling(self) -> None:
        """Relationships whose end nodes do not exist (the loader's MATCH skips them)."""
        ids = {label: _arrow_ids(nodes.frame["_id"]) for label, nodes in self.nodes.items()}
        none = pa.array([], type=pa.string())
        for entities in self.relationships.values():
            frame = entities.frame
            starts = pa.compute.is_in(_arrow_ids(frame["_start"]), ids.get(entities.start, none))
            ends = pa.compute.is_in(_arrow_ids(frame["_end"]), ids.get(entities.end, none))
            keep = pa.compute.and_(starts, ends).to_numpy(zero_copy_only=False)
            entities.frame = frame[keep]


def _arrow_ids(ids: pd.Series) -> pa.Array:
    return pa.array(ids.to_numpy(dtype=object), type=pa.string())


# ---------------------------------------------------------------------------- CSV files


def _double_text(value: float) -> str | None:
    if value != value:
        return None
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"  # Java's spelling
    return repr(value)  # the shortest text that reads back as the same double


def _arrow_column(values: pd.Series, kind: str) -> pa.Array:
    """One column for Arrow's CSV writer, which quotes every string (so "" stays an empty
    string) and leaves a missing value an empty field (the importer sets no property)."""
    if kind in ("string", "datetime"):
        return pa.array(values.to_numpy(dtype=object, na_value=None), type=pa.string())
    if kind == "long":
        return pa.array(values.astype("Int64"), type=pa.int64(), from_pandas=True)
    if kind == "boolean":
        return pa.array(values.astype("boolean"), type=pa.bool_(), from_pandas=True)
    numbers = values.astype("float64")
    if np.isinf(numbers.to_numpy()).any():
        # Arrow writes inf where Java reads Infinity: such a column goes as text
        return pa.array([_double_text(v) for v in numbers.tolist()], type=pa.string())
    return pa.array(numbers, type=pa.float64(), from_pandas=True)


def _header(entities: _Entities, label_or_type: str, is_node: bool) -> list[str]:
    if is_node:
        head = [f":ID({label_or_type})"]
    else:
        head = [f":START_ID({entities.start})", f":END_ID({entities.end})"]
    names = [c for c in entities.frame.columns if not c.startswith("_")]
    return head + [f"{name}:{entities.types[name]}" for name in names]


def _write_entities(entities: _Entities, path: Path, header: list[str]) -> bool:
    """Write one CSV file; whether a value holds a line break (the importer must know)."""
    frame = entities.frame
    ids = ["_id"] if "_id" in frame.columns else ["_start", "_end"]
    names = [c for c in frame.columns if not c.startswith("_")]
    arrays = [_arrow_column(frame[c], "string") for c in ids]
    arrays += [_arrow_column(frame[c], entities.types[c]) for c in names]
    multiline = any(
        pa.compute.any(pa.compute.match_substring_regex(array, "[\r\n]")).as_py()
        for array, name in zip(arrays, [*ids, *names], strict=True)
        if array.type == pa.string() and entities.types.get(name, "string") == "string"
    )
    options = pa.csv.WriteOptions(include_header=False, quoting_style="needed")
    with path.open("wb") as out:
        # the header by hand: Arrow would quote it, and its names hold ':' and '()'
        out.write((",".join(header) + "\n").encode("utf-8"))
        table = pa.Table.from_arrays(arrays, names=[f"c{i}" for i in range(len(arrays))])
        pa.csv.write_csv(table, out, write_options=options)
    return multiline


def write_csv_files(
    graph: BulkGraph, folder: Path
) -> tuple[list[tuple[str, Path]], list[tuple[str, Path]], bool]:
    """One CSV file per label and per relationship type, in ``folder``.

    Returns:
        (label, file) per node file, (type, file) per relationship file, and whether
        some value holds a line break.
    """
    folder.mkdir(parents=True, exist_ok=True)
    nodes: list[tuple[str, Path]] = []
    relationships: list[tuple[str, Path]] = []
    multiline = False
    for label, entities in sorted(graph.nodes.items()):
        if entities.frame.empty:
            continue
        path = folder / f"nodes_{label}.csv"
        multiline |= _write_entities(entities, path, _header(entities, label, True))
        nodes.append((label, path))
    for rel_type, entities in sorted(graph.relationships.items()):
        if entities.frame.empty:
            continue
        path = folder / f"relationships_{rel_type}.csv"
        multiline |= _write_entities(entities, path, _header(entities, rel_type, False))
        relationships.append((rel_type, path))
    return nodes, relationships, multiline
