"""Validation stage: raw text tables in, typed accepted tables and rejected rows out.

A row that breaks the data contract is never dropped silently: it goes to
the rejects with the file, row, column and reason, and it is counted, so that
rows read = rows accepted + rows rejected for every table. Problems that make
a run meaningless (a required table or column missing) are all collected
first and raised together, before any work is done.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from linkage.errors import InputContractError
from linkage.io.contract import INDICATOR_TYPES, TABLES, ColumnSpec, TableSpec
from linkage.io.input_folder import INVALID_UTF8, ROW_COLUMN, RawTable
from linkage.settings import Settings

REASON_COLUMN = "_reason"
PROBLEM_COLUMN = "_column"

_CARD_NUMBER = r"^\d{13,19}$"
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
_FREE_TEXT = {"prompt", "display_name"}
"""Kept exactly as given (no trimming): their spacing is content."""


@dataclass
class ValidatedInput:
    """What detection may read: typed accepted rows, plus what was rejected and why."""

    tables: dict[str, pd.DataFrame]
    rejects: dict[str, pd.DataFrame]
    counts: dict[str, dict[str, int]]
    notes: list[str] = field(default_factory=list)
    note_tables: list[str] = field(default_factory=list)
    """The table each note is about (parallel to ``notes``)."""

    def notes_with(self, table: str, extra: list[str]) -> list[str]:
        """The notes with ``extra`` notes about ``table`` in that table's place (contract
        order: the tables before it, then it, then the rest)."""
        order = list(TABLES)
        place = order.index(table)
        before = [
            n for n, t in zip(self.notes, self.note_tables, strict=True) if order.index(t) < place
        ]
        after = [
            n for n, t in zip(self.notes, self.note_tables, strict=True) if order.index(t) > place
        ]
        return before + extra + after


def check_structure(raw: dict[str, RawTable]) -> None:
    """Raise one error naming every missing required table or column."""
    problems: list[str] = []
    for name, spec in TABLES.items():
        table = raw.get(name)
        if table is None:
            if spec.required:
                problems.append(f"required table {name!r} is missing")
            continue
        if "empty" in table.notes:
            if spec.required:
                problems.append(
                    f"{table.path}: the file is empty; it needs at least a header row "
                    f"with {', '.join(spec.required_columns)}"
                )
            continue
        missing = [c for c in spec.required_columns if c not in table.frame.columns]
        if missing:
            problems.append(
                f"{table.path}: required column(s) {', '.join(missing)} missing "
                f"(columns found: {', '.join(c for c in table.frame.columns if c != ROW_COLUMN)})"
            )
    if problems:
        raise InputContractError(problems)


def validate(
    raw: dict[str, RawTable], settings: Settings, streamed: tuple[str, ...] = ()
) -> ValidatedInput:
    """Check every row of every table against the contract.

    Examples
    --------
    >>> from pathlib import Path
    >>> accounts = pd.DataFrame({"account_id": ["a", "a"], "created_at": ["2026-10-01", "x"],
    ...                          "_row": [1, 2]})
    >>> requests = pd.DataFrame({"request_id": ["r1"], "account_id": ["a"],
    ...                          "ts": ["2026-10-02T10:00:00Z"], "ip": ["10.0.0.1"], "_row": [1]})
    >>> raw = {"accounts": RawTable("accounts", Path("accounts.csv"), accounts),
    ...        "requests": RawTable("requests", Path("requests.csv"), requests)}
    >>> result = validate(raw, Settings())
    >>> result.counts["accounts"]
    {'read': 2, 'accepted': 1, 'rejected': 1}
    >>> result.rejects["accounts"]["_reason"].iloc[0]
    'unparsable timestamp "x"; duplicate account_id "a" (first on row 1)'
    """
    check_structure(raw)
    tables: dict[str, pd.DataFrame] = {}
    note_tables: list[str] = []
    rejects: dict[str, pd.DataFrame] = {}
    counts: dict[str, dict[str, int]] = {}
    notes: list[str] = []
    # accounts first: other tables are checked against the accepted accounts
    order = ["accounts", "requests", "payment_methods", "ip_intel", "indicators", "labels"]
    for name in order:
        table = raw.get(name)
        if table is None or name in streamed:
            continue
        spec = TABLES[name]
        known_accounts = tables["accounts"]["account_id"] if "accounts" in tables else None
        accepted, rejected, table_notes = _validate_table(table, spec, known_accounts, settings)
        malformed = malformed_rejects(table)
        if len(malformed):
            rejected = pd.concat([rejected, malformed], ignore_index=True)
        tables[name] = accepted
        rejects[name] = rejected
        counts[name] = {
            "read": len(table.frame) + len(table.malformed),
            "accepted": len(accepted),
            "rejected": len(rejected),
        }
        notes.extend(f"{table.path}: {note}" for note in table_notes + table.notes)
        note_tables.extend([name] * len(table_notes + table.notes))
    return ValidatedInput(
        tables=tables, rejects=rejects, counts=counts, notes=notes, note_tables=note_tables
    )


def malformed_rejects(table: RawTable) -> pd.DataFrame:
    """The rows of ``table`` that did not parse, as rejects (``_raw_line`` holds the text)."""
    malformed = pd.DataFrame(table.malformed)
    if len(malformed):
        malformed = malformed.rename(columns={"text": "_raw_line", "row": ROW_COLUMN})
        malformed[PROBLEM_COLUMN] = ""
        malformed = malformed.rename(columns={"reason": REASON_COLUMN})
    return malformed


def is_known(values: pd.Series, known: pd.Series | pd.Index) -> np.ndarray:
    """Which ``values`` are in ``known``.

    An index's hash table is built once and kept with it, so a worker that checks batch
    after batch against the same accounts pays for it once (``Series.isin`` builds it anew
    each call, in Python for Arrow strings: seconds per batch at 400,000 accounts).

    >>> is_known(pd.Series(["a", None, "c"]), pd.Index(["a", "b"])).tolist()
    [True, False, False]
    """
    index = known if isinstance(known, pd.Index) else account_index(known)
    return np.asarray(index.get_indexer(values.astype(object)) >= 0)


def account_index(accounts: pd.Series) -> pd.Index:
    """Account ids as a unique object index, for :func:`is_known`."""
    return pd.Index(pd.unique(accounts.astype(object).to_numpy()), dtype=object)


def validate_batch(
    batch: RawTable, accounts: pd.Series | pd.Index, settings: Settings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Accepted and rejected rows of one batch of requests.

    Every check of :func:`validate` but the uniqueness of ``request_id`` (the engine checks
    that over all rows). Long prompts are cut and marked in ``_prompt_cut``.
    """
    accepted, rejected, _ = _validate_table(
        batch, TABLES["requests"], accounts, settings, check_unique=False, cut_prompts=False
    )
    if "prompt" in accepted.columns:
        limit = settings.ingest.max_prompt_chars
        too_long = (accepted["prompt"].str.len() > limit).fillna(False).to_numpy(dtype=bool)
        accepted.loc[too_long, "prompt"] = accepted.loc[too_long, "prompt"].str.slice(0, limit)
        accepted["_prompt_cut"] = too_long
    else:
        accepted["_prompt_cut"] = False
    return accepted, rejected


def prompt_cut_note(count: int, settings: Settings) -> list[str]:
    """The note :func:`validate` writes when prompts were cut."""
    if not count:
        return []
    limit = settings.ingest.max_prompt_chars
    return [f"{count} prompt(s) longer than {limit} characters were cut to that length (rows kept)"]


def duplicate_reason(key_column: str, value: str, first_row: int) -> str:
    """The reason a later row with an already-seen key is rejected for."""
    return f'duplicate {key_column} "{value}" (first on row {first_row})'


class _Problems:
    """Collects (row mask, column, reason) triples and turns them into one reason per row."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.positions: list[np.ndarray] = []
        self.columns: list[np.ndarray] = []
        self.reasons: list[np.ndarray] = []

    def add(self, mask: pd.Series | np.ndarray, column: str, reason: str | pd.Series) -> None:
        mask_array = np.asarray(mask, dtype=bool)
        where = np.flatnonzero(mask_array)
        if not len(where):
            return
        self.positions.append(where)
        self.columns.append(np.full(len(where), column, dtype=object))
        if isinstance(reason, str):
            self.reasons.append(np.full(len(where), reason, dtype=object))
        else:
            self.reasons.append(np.asarray(reason, dtype=object)[where])

    def split(self) -> tuple[np.ndarray, pd.DataFrame]:
        """Return (rejected mask, per-rejected-row column and reason)."""
        rejected = np.zeros(len(self.frame), dtype=bool)
        if not self.positions:
            return rejected, pd.DataFrame(columns=[PROBLEM_COLUMN, REASON_COLUMN])
        problems = pd.DataFrame(
            {
                "position": np.concatenate(self.positions),
                PROBLEM_COLUMN: np.concatenate(self.columns),
                REASON_COLUMN: np.concatenate(self.reasons),
            }
        )
        # keep the order in which problems were found (checks run in contract order)
        grouped = problems.groupby("position", sort=True).agg(
            {PROBLEM_COLUMN: lambda c: ";".join(dict.fromkeys(c)), REASON_COLUMN: "; ".join}
        )
        rejected[grouped.index.to_numpy()] = True
        return rejected, grouped


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | (series.astype("str").str.strip() == "")


def _validate_table(
    table: RawTable,
    spec: TableSpec,
    known_accounts: pd.Series | pd.Index | None,
    settings: Settings,
    check_unique: bool = True,
    cut_prompts: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    frame = table.frame.reset_index(drop=True)
    problems = _Problems(frame)
    for column in table.invalid_utf8_columns:
        bad = frame[column].astype("str").str.contains(INVALID_UTF8, regex=False, na=False)
        problems.add(bad, column, "bytes that are not UTF-8")
    typed = _typed_columns(frame, spec, problems)
    if spec.name == "payment_methods":
        _check_card_numbers(frame, problems)
    if spec.name == "indicators":
        _check_indicators(frame, typed, problems)
    if spec.account_column and known_accounts is not None and spec.account_column in frame.columns:
        account = frame[spec.account_column]
        unknown = ~_blank(account) & ~is_known(account, known_accounts)
        problems.add(unknown, spec.account_column, "unknown account (not in accounts)")
    if check_unique and spec.unique_key and spec.unique_key in frame.columns:
        _check_unique(frame, spec.unique_key, problems)

    rejected_mask, reasons = problems.split()
    accepted = frame.loc[~rejected_mask].copy()
    for column, values in typed.items():
        accepted[column] = values[~rejected_mask]
    notes: list[str] = []
    if cut_prompts and spec.name == "requests" and "prompt" in accepted.columns:
        accepted, notes = _cut_long_prompts(accepted, settings.ingest.max_prompt_chars)
    accepted = accepted.reset_index(drop=True)

    rejected = frame.loc[rejected_mask].copy()
    rejected[PROBLEM_COLUMN] = reasons[PROBLEM_COLUMN].to_numpy()
    rejected[REASON_COLUMN] = reasons[REASON_COLUMN].to_numpy()
    if "prompt" in rejected.columns:
        rejected["prompt"] = rejected["prompt"].astype("str").str.slice(0, 2000)
    return accepted, rejected.reset_index(drop=True), notes


def _typed_columns(
    frame: pd.DataFrame, spec: TableSpec, problems: _Problems
) -> dict[str, pd.Series]:
    """Every contract column present, parsed to its type; blank required values reported."""
    typed: dict[str, pd.Series] = {}
    for column_spec in spec.columns:
        if column_spec.name not in frame.columns:
            continue
        values = frame[column_spec.name]
        if pd.api.types.is_datetime64_any_dtype(values):
            blank = values.isna()
        elif column_spec.name in _FREE_TEXT:
            blank = values.isna() | (values.astype("str").str.len() == 0)
        else:
            values = values.astype("str").str.strip()
            blank = values.isna() | (values == "")
        if column_spec.required:
            problems.add(blank, column_spec.name, f"missing required value {column_spec.name}")
        typed[column_spec.name] = _parse_column(values, blank, column_spec, problems)
    return typed


def _check_card_numbers(frame: pd.DataFrame, problems: _Problems) -> None:
    if "payment_fingerprint" not in frame.columns:
        return
    compact = frame["payment_fingerprint"].astype("str").str.replace(r"[\s-]", "", regex=True)
    looks_like_card = compact.str.fullmatch(_CARD_NUMBER, na=False)
    problems.add(
        looks_like_card,
        "payment_fingerprint",
        "looks like a full card number, not a processor fingerprint (value withheld)",
    )
    # never keep the card number itself, not even in the rejects
    frame.loc[looks_like_card.to_numpy(), "payment_fingerprint"] = "[withheld card number]"


def _check_indicators(
    frame: pd.DataFrame, typed: dict[str, pd.Series], problems: _Problems
) -> None:
    if "indicator_type" in frame.columns:
        indicator_type = frame["indicator_type"].astype("str").str.strip().str.lower()
        unknown_type = ~_blank(frame["indicator_type"]) & ~indicator_type.isin(INDICATOR_TYPES)
        problems.add(
            unknown_type,
            "indicator_type",
            "unknown indicator_type (expected one of " + ", ".join(INDICATOR_TYPES) + ")",
        )
        typed["indicator_type"] = indicator_type
    if "confidence" in typed:
        confidence = typed["confidence"]
        problems.add((confidence < 0) | (confidence > 1), "confidence", "confidence outside 0..1")


def _check_unique(frame: pd.DataFrame, key_column: str, problems: _Problems) -> None:
    key = frame[key_column]
    duplicate = key.duplicated(keep="first") & ~_blank(key)
    if not duplicate.any():
        return
    first_row = frame.groupby(key_column, sort=False)[ROW_COLUMN].transform("first")
    reason = (
        f"duplicate {key_column} "
        + '"'
        + key.astype("str")
        + '" (first on row '
        + first_row.astype("str")
        + ")"
    )
    problems.add(duplicate, key_column, reason)


def _cut_long_prompts(accepted: pd.DataFrame, limit: int) -> tuple[pd.DataFrame, list[str]]:
    too_long = accepted["prompt"].str.len() > limit
    if not too_long.any():
        return accepted, []
    accepted.loc[too_long, "prompt"] = accepted.loc[too_long, "prompt"].str.slice(0, limit)
    note = (
        f"{int(too_long.sum())} prompt(s) longer than {limit} characters were cut to that "
        "length (rows kept)"
    )
    return accepted, [note]


def _parse_column(
    values: pd.Series, blank: pd.Series, column: ColumnSpec, problems: _Problems
) -> pd.Series:
    """Parse one column to its contract type, reporting unparsable non-blank cells."""
    if column.kind == "string":
        return values.where(~blank)
    if column.kind == "timestamp":
        if pd.api.types.is_datetime64_any_dtype(values):
            return values
        parsed = pd.to_datetime(
            values.where(~blank, None), errors="coerce", utc=True, format="ISO8601"
        )
        bad = parsed.isna() & ~blank
        problems.add(bad, column.name, 'unparsable timestamp "' + values.astype("str") + '"')
        return parsed
    if column.kind in ("integer", "float"):
        parsed = pd.to_numeric(values.where(~blank, None), errors="coerce")
        bad = parsed.isna() & ~blank
        if column.kind == "integer":
            bad |= ~blank & parsed.notna() & (parsed != np.floor(parsed))
            problems.add(bad, column.name, f"{column.name} is not a whole number")
            return parsed.where(~bad).astype("Int64")
        problems.add(bad, column.name, f"{column.name} is not a number")
        return parsed.astype("float64")
    if column.kind == "boolean":
        text = values.astype("str").str.strip().str.lower()
        parsed = text.map(_BOOLEANS).where(~blank)
        bad = parsed.isna() & ~blank
        problems.add(
            bad,
            column.name,
            f'{column.name} is not true or false: "' + values.astype("str") + '"',
        )
        return parsed.astype("boolean")
    if column.kind in ("ip", "cidr"):
        text = values.where(~blank, None).astype("str").str.strip()
        uniques = text[~blank].unique()
        parser = _parse_ip if column.kind == "ip" else _parse_cidr
        canonical = _canonical_ipv4(uniques) if column.kind == "ip" else {}
        canonical.update({value: parser(value) for value in uniques if value not in canonical})
        parsed = text.map(canonical)
        bad = parsed.isna() & ~blank
        label = "IP address" if column.kind == "ip" else "CIDR network"
        problems.add(bad, column.name, f"unparsable {label} " + '"' + values.astype("str") + '"')
        return parsed
    raise AssertionError(f"unknown column kind {column.kind}")


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_CANONICAL_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
"""Dotted IPv4 as :mod:`ipaddress` writes it (no leading zeros): already canonical."""


def _canonical_ipv4(values: np.ndarray) -> dict[str, str | None]:
    """The values that are canonical dotted IPv4, mapped to themselves (no parsing needed;
    the rest go through :mod:`ipaddress`)."""
    text = pd.Series(values, dtype="str")
    canonical = text[text.str.fullmatch(_CANONICAL_IPV4).fillna(False).to_numpy(dtype=bool)]
    return dict(zip(canonical, canonical, strict=True))


def _parse_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _parse_cidr(value: str) -> str | None:
    try:
        return str(ipaddress.ip_network(value, strict=False))
    except ValueError:
        return None
