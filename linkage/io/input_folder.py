"""Reading an input folder (I/O edge): files to raw string tables, nothing interpreted yet.

Every cell comes back as text (or null) so that validation, not the reader,
decides what is wrong with a row. Rows the CSV parser cannot split (wrong
number of fields) and cells that are not UTF-8 are not lost: they come back
as ``malformed`` rows with their row number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from linkage.errors import InputContractError
from linkage.io.contract import FILE_SUFFIXES, TABLES

ROW_COLUMN = "_row"
"""Data row number in the file: 1 is the first row after the header."""

_CSV_BLOCK_BYTES = 64 << 20  # big enough for one very long prompt in a single row


@dataclass
class RawTable:
    """One input file as read: text cells, their file row numbers, and rows that did not parse."""

    name: str
    path: Path
    frame: pd.DataFrame
    malformed: list[dict[str, object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    invalid_utf8_columns: list[str] = field(default_factory=list)
    """Columns holding cells whose bytes are not UTF-8 (marked with INVALID_UTF8)."""


def find_table_files(folder: Path) -> tuple[dict[str, Path], list[str]]:
    """Map each contract table present in ``folder`` to its file; list the problems."""
    problems: list[str] = []
    found: dict[str, Path] = {}
    if not folder.is_dir():
        raise InputContractError([f"input folder {folder} does not exist or is not a folder"])
    for name, spec in TABLES.items():
        candidates = [folder / f"{name}{suffix}" for suffix in FILE_SUFFIXES]
        present = [p for p in candidates if p.is_file()]
        if len(present) > 1:
            names = ", ".join(p.name for p in present)
            problems.append(f"table {name!r} is given twice ({names}); keep one file per table")
        elif present:
            found[name] = present[0]
        elif spec.required:
            problems.append(
                f"required table {name!r} is missing: expected {name}.csv, {name}.csv.gz "
                f"or {name}.parquet in {folder}"
            )
    return found, problems


def read_table(name: str, path: Path) -> RawTable:
    """Read one table file into text columns plus a ``_row`` column."""
    if path.suffix == ".parquet":
        return _read_parquet(name, path)
    return _read_csv(name, path)


def _is_empty_file(path: Path) -> bool:
    if path.stat().st_size == 0:
        return True
    if path.suffix == ".gz":
        import gzip

        with gzip.open(path, "rb") as handle:
            return not handle.read(4096).strip()
    with path.open("rb") as handle:
        return not handle.read(4096).strip()


def _read_csv(name: str, path: Path) -> RawTable:
    if _is_empty_file(path):
        return RawTable(
            name, path, pd.DataFrame({ROW_COLUMN: pd.Series([], dtype="int64")}), notes=["empty"]
        )
    malformed: list[dict[str, object]] = []

    def keep_malformed(row: pacsv.InvalidRow) -> str:
        line = row.number if row.number is not None else -1
        malformed.append(
            {
                "line": line,
                "text": row.text[:2000],
                "reason": f"row does not parse as CSV: {row.actual_columns} fields where the "
                f"header has {row.expected_columns}",
            }
        )
        return "skip"

    # Every column is read as bytes: the reader must not fail on a bad byte,
    # the validator reports it against the row and column it is in.
    header = _csv_header(path)
    try:
        table = pacsv.read_csv(
            path,
            # single-threaded so the parser knows the line number of a row it skips
            read_options=pacsv.ReadOptions(block_size=_CSV_BLOCK_BYTES, use_threads=False),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, invalid_row_handler=keep_malformed
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.binary()),
                # only an empty cell is missing: "NA" is Namibia, "null" may be an id
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise InputContractError([f"{path}: cannot be read as CSV: {exc}"]) from exc

    frame, invalid_utf8_columns = _text_frame(table)
    for item in malformed:
        item["row"] = int(item.pop("line")) - 1  # type: ignore[call-overload]
    skipped = np.sort(np.array([m["row"] for m in malformed], dtype=np.int64))
    frame[ROW_COLUMN] = _file_rows(0, table.num_rows, skipped)
    return RawTable(
        name, path, frame, malformed=malformed, invalid_utf8_columns=invalid_utf8_columns
    )


def _text_frame(table: pa.Table | pa.RecordBatch) -> tuple[pd.DataFrame, list[str]]:
    """Binary CSV columns as text, and the columns that held bytes that are not UTF-8."""
    frame = pd.DataFrame(index=pd.RangeIndex(table.num_rows))
    invalid_utf8_columns = []
    for column_name in table.column_names:
        frame[column_name], had_invalid = _decode_utf8(table.column(column_name))
        if had_invalid:
            invalid_utf8_columns.append(column_name)
    return frame, invalid_utf8_columns


def _file_rows(parsed_before: int, count: int, skipped_rows: np.ndarray) -> np.ndarray:
    """File row numbers of ``count`` parsed rows after ``parsed_before`` others, given the
    (sorted) row numbers the parser skipped: skipped rows still occupy row numbers."""
    positions = np.arange(parsed_before + 1, parsed_before + count + 1, dtype=np.int64)
    if len(skipped_rows):
        # the k-th parsed row sits after every skipped row numbered at most k + (skips so far)
        shift = np.zeros(count, dtype=np.int64)
        for skipped in skipped_rows:
            shift += positions + shift >= skipped
        positions = positions + shift
    return positions


def _csv_header(path: Path) -> list[str]:
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=_CSV_BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(
            newlines_in_values=True, invalid_row_handler=lambda _: "skip"
        ),
        convert_options=pacsv.ConvertOptions(column_types={}, strings_can_be_null=True),
    )
    names = list(reader.schema.names)
    reader.close()
    return names


INVALID_UTF8 = "\x00invalid-utf8\x00"
"""Marker left in a cell whose bytes are not UTF-8 (validation rejects the row)."""


def _decode_utf8(column: pa.ChunkedArray) -> tuple[pd.Series, bool]:
    """The column as text, and whether any cell was not UTF-8 (such cells are marked)."""
    try:
        text = column.cast(pa.string())
        text.validate(full=True)
        return text.to_pandas(), False
    except (pa.ArrowInvalid, UnicodeDecodeError):
        pass
    # Rare path (a file with bad bytes): decode cell by cell and mark the bad ones.
    values: list[str | None] = []
    for raw in column.to_pylist():
        if raw is None:
            values.append(None)
            continue
        try:
            values.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            values.append(INVALID_UTF8)
    return pd.Series(values, dtype="str"), True


def _read_parquet(name: str, path: Path) -> RawTable:
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputContractError([f"{path}: cannot be read as Parquet: {exc}"]) from exc
    frame = parquet_frame(table)
    frame[ROW_COLUMN] = np.arange(1, table.num_rows + 1, dtype=np.int64)
    return RawTable(name, path, frame)


def parquet_frame(table: pa.Table | pa.RecordBatch) -> pd.DataFrame:
    """Parquet columns as text (timestamps stay timestamps, in UTC)."""
    frame = pd.DataFrame(index=pd.RangeIndex(table.num_rows))
    for column_name in table.column_names:
        column = table.column(column_name)
        if pa.types.is_timestamp(column.type):
            series = column.to_pandas()
            if series.dt.tz is None:
                series = series.dt.tz_localize("UTC")
            frame[column_name] = series.dt.tz_convert("UTC")
        elif pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            frame[column_name] = column.to_pandas()
        else:
            frame[column_name] = column.cast(pa.string()).to_pandas()
    return frame


BATCH_ROWS = 200_000
"""Rows per batch when a table is streamed (Parquet; a CSV batch is one parser block)."""


@dataclass
class StreamedTable(RawTable):
    """A table file that is read batch by batch, never whole: the requests.

    ``frame`` holds the header only (no rows), so structure checks work as for any table;
    :meth:`batches` yields the rows as :class:`RawTable` batches with file row numbers.
    """

    def batches(
        self, batch_rows: int = BATCH_ROWS, columns: list[str] | None = None
    ) -> Iterator[RawTable]:
        """The rows in file order, ``batch_rows`` at a time (``columns``: only these)."""
        if "empty" in self.notes:
            return
        if self.path.suffix == ".parquet":
            yield from self._parquet_batches(batch_rows, columns)
        else:
            yield from self._csv_batches(columns)

    def _parquet_batches(self, batch_rows: int, columns: list[str] | None) -> Iterator[RawTable]:
        try:
            reader = pq.ParquetFile(self.path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputContractError([f"{self.path}: cannot be read as Parquet: {exc}"]) from exc
        yield from self._numbered(reader.iter_batches(batch_size=batch_rows, columns=columns), 0)

    def _numbered(self, batches: Iterator[pa.RecordBatch], done: int) -> Iterator[RawTable]:
        for batch in batches:
            frame = parquet_frame(batch)
            frame[ROW_COLUMN] = np.arange(done + 1, done + batch.num_rows + 1, dtype=np.int64)
            done += batch.num_rows
            yield RawTable(self.name, self.path, frame)

    def parquet_parts(self) -> list[tuple[int, int]]:
        """A Parquet file's row groups as parts another process can read on its own:
        (row group, rows before it). Empty for a CSV file."""
        if self.path.suffix != ".parquet" or "empty" in self.notes:
            return []
        meta = pq.read_metadata(self.path)
        sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        before = np.r_[0, np.cumsum(sizes)[:-1]] if sizes else []
        return [(i, int(rows)) for i, rows in enumerate(before)]

    def part_batches(
        self, part: tuple[int, int], batch_rows: int = BATCH_ROWS
    ) -> Iterator[RawTable]:
        """The rows of one of :meth:`parquet_parts`, ``batch_rows`` at a time."""
        row_group, before = part
        reader = pq.ParquetFile(self.path)
        yield from self._numbered(
            reader.iter_batches(batch_size=batch_rows, row_groups=[row_group]), before
        )

    def _csv_batches(self, columns: list[str] | None) -> Iterator[RawTable]:
        malformed: list[dict[str, object]] = []
        header = _csv_header(self.path)
        reader = pacsv.open_csv(
            self.path,
            # single-threaded so the parser knows the line number of a row it skips
            read_options=pacsv.ReadOptions(block_size=_CSV_BLOCK_BYTES, use_threads=False),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, invalid_row_handler=_malformed_handler(malformed)
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.binary()),
                include_columns=columns or header,
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
        done, reported = 0, 0
        try:
            for batch in reader:
                frame, invalid = _text_frame(batch)
                # the parser reports skipped rows as it meets them (before their batch)
                new = malformed[reported:]
                reported = len(malformed)
                skipped = np.sort(np.array([m["row"] for m in malformed], dtype=np.int64))
                frame[ROW_COLUMN] = _file_rows(done, batch.num_rows, skipped)
                done += batch.num_rows
                yield RawTable(
                    self.name, self.path, frame, malformed=new, invalid_utf8_columns=invalid
                )
        except pa.ArrowInvalid as exc:
            raise InputContractError([f"{self.path}: cannot be read as CSV: {exc}"]) from exc
        if len(malformed) > reported:
            yield RawTable(
                self.name, self.path, _empty_frame(columns or header), malformed[reported:]
            )


def _malformed_handler(
    malformed: list[dict[str, object]],
) -> Callable[[pacsv.InvalidRow], str]:
    def keep_malformed(row: pacsv.InvalidRow) -> str:
        line = row.number if row.number is not None else -1
        malformed.append(
            {
                "row": line - 1,
                "text": row.text[:2000],
                "reason": f"row does not parse as CSV: {row.actual_columns} fields where the "
                f"header has {row.expected_columns}",
            }
        )
        return "skip"

    return keep_malformed


def _empty_frame(columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series([], dtype="str") for name in columns})
    frame[ROW_COLUMN] = pd.Series([], dtype="int64")
    return frame


def open_streamed(name: str, path: Path) -> StreamedTable:
    """A table to be read in batches: its header now, its rows when asked for."""
    if path.suffix != ".parquet" and _is_empty_file(path):
        return StreamedTable(name, path, _empty_frame([]), notes=["empty"])
    if path.suffix == ".parquet":
        try:
            schema = pq.read_schema(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputContractError([f"{path}: cannot be read as Parquet: {exc}"]) from exc
        return StreamedTable(name, path, _empty_frame(list(schema.names)))
    try:
        header = _csv_header(path)
    except pa.ArrowInvalid as exc:
        raise InputContractError([f"{path}: cannot be read as CSV: {exc}"]) from exc
    return StreamedTable(name, path, _empty_frame(header))


STREAMED_TABLES = ("requests",)
"""Tables that are never read whole: they are streamed in batches by the engine."""


def read_input_folder(folder: Path) -> dict[str, RawTable]:
    """Read every detection table of an input folder (labels are never read here)."""
    files, problems = find_table_files(folder)
    if problems:
        raise InputContractError(problems)
    return {
        name: open_streamed(name, path) if name in STREAMED_TABLES else read_table(name, path)
        for name, path in files.items()
        if name != "labels"
    }
