"""Property-based tests of the data contract: every input it allows runs, every broken row is
rejected with its reason, and rows read = accepted + rejected.

Hypothesis generates small input folders: any subset of the optional tables and columns,
header-only tables, CSV, gzipped CSV or Parquet (string or typed columns), IPv4 and IPv6,
timestamps with and without offsets, any Unicode text (quotes, commas and newlines
included), columns in any order plus columns the contract does not know. Then single rows
are broken in one of the ways the contract names. The examples are derandomised (the same
examples on every run, so CI is deterministic) and bounded so the file stays fast.
"""

from __future__ import annotations

import csv
import gzip
import io
import ipaddress
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from linkage.io.contract import INDICATOR_TYPES, TABLES
from linkage.jobs import run_detection, write_run_folder
from linkage.settings import Settings

EXPLORE = os.environ.get("LINKAGE_HYPOTHESIS_EXAMPLES")
"""Set to hunt for new failures with that many random (not derandomised) examples."""
SETTINGS = settings(
    max_examples=int(EXPLORE or 30),
    deadline=None,
    derandomize=EXPLORE is None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no shrinking: minutes, not seconds
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- values the contract allows ------------------------------------------------------------

TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
"""Any Unicode text (no lone surrogates, which UTF-8 cannot hold; no NUL)."""
NULL_LOOKALIKES = ["NA", "null", "NULL", "NaN", "nan", "None", "N/A", "n/a", "#N/A", "<NA>"]
"""Texts some readers take for a missing value; in the contract only an empty cell is."""
ID_TEXT = st.one_of(
    st.sampled_from([*NULL_LOOKALIKES, "007", "1e3", "-0", "true", '"q"', "a,b"]),
    st.text(
        st.characters(
            blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="\x00"
        ),
        min_size=1,
        max_size=12,
    ),
)
"""Identifiers: any Unicode without surrounding space (ids are compared trimmed)."""
STAMP_FORMATS = (
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S+00:00",
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
)


@st.composite
def timestamps(draw: st.DrawFn) -> str:
    moment = draw(
        st.datetimes(
            min_value=pd.Timestamp("2020-01-01").to_pydatetime(),
            max_value=pd.Timestamp("2030-12-31").to_pydatetime(),
        )
    )
    offset_hours = draw(st.sampled_from([None, -8, -3.5, 0, 2, 5.5, 14]))
    if offset_hours is None:
        return moment.strftime(draw(st.sampled_from(STAMP_FORMATS)))
    sign = "+" if offset_hours >= 0 else "-"
    hours, minutes = divmod(int(abs(offset_hours) * 60), 60)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f"{sign}{hours:02d}:{minutes:02d}"


@st.composite
def ip_addresses(draw: st.DrawFn) -> str:
    address = draw(st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)))
    if address.version == 6 and draw(st.booleans()):
        return address.exploded.upper()
    return str(address)


@st.composite
def networks(draw: st.DrawFn) -> str:
    address = draw(st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)))
    prefix = draw(st.integers(8 if address.version == 4 else 16, address.max_prefixlen))
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


BOOLEANS = st.sampled_from(["true", "false", "TRUE", "False", "1", "0", "yes", "no"])
PATHWAYS = st.sampled_from(["standard", "education", "research_program", "enterprise", "x"])
KINDS = st.sampled_from(["residential", "mobile", "hosting", "university", "vpn", "proxy", "?"])
EMAILS = st.one_of(st.emails().map(str), TEXT)


# --- datasets ------------------------------------------------------------------------------


@dataclass
class Table:
    name: str
    columns: list[str]
    rows: list[dict[str, str | None]]
    file_format: str = "csv"
    typed: bool = False
    """Parquet only: timestamps, integers and booleans stored as such, not as text."""
    extra_fields: set[int] = field(default_factory=set)
    """CSV only: positions of rows written with extra fields (a malformed row)."""
    bad_bytes: dict[int, str] = field(default_factory=dict)
    """CSV only: position -> column whose cell is written as bytes that are not UTF-8."""
    crlf: bool = True
    """CSV only: CRLF line ends (fields with a CR or LF quoted), else LF and every field quoted
    (a bare CR in an unquoted field would end the row for any CSV reader)."""


BAD_BYTES_MARK = "\ue000bad\ue000"


def _optional_columns(draw: st.DrawFn, name: str) -> list[str]:
    spec = TABLES[name]
    optional = [c.name for c in spec.columns if not c.required]
    chosen = [c for c in optional if draw(st.booleans())]
    extra = ["notes_x"] if draw(st.booleans()) else []
    columns = spec.required_columns + chosen + extra
    return draw(st.permutations(columns))


def _value(draw: st.DrawFn, column: str, context: dict[str, Any]) -> str | None:
    makers: dict[str, Callable[[], str | None]] = {
        "created_at": lambda: draw(timestamps()),
        "ts": lambda: draw(timestamps()),
        "added_at": lambda: draw(timestamps()),
        "ip": lambda: draw(ip_addresses()),
        "network": lambda: draw(networks()),
        "email": lambda: draw(EMAILS),
        "org_verified": lambda: draw(BOOLEANS),
        "signup_pathway": lambda: draw(PATHWAYS),
        "kind": lambda: draw(KINDS),
        "country": lambda: draw(st.sampled_from(["NA", "DE", "US", "CN", "", "zz"])),
        "billing_country": lambda: draw(st.sampled_from(["NA", "GB", "FR"])),
        "input_tokens": lambda: str(draw(st.integers(0, 10**9))),
        "output_tokens": lambda: str(draw(st.integers(0, 10**6))),
        "asn": lambda: str(draw(st.integers(1, 2**32 - 1))),
        "confidence": lambda: repr(draw(st.floats(0, 1))),
        "account_id": lambda: draw(st.sampled_from(context["accounts"])),
        "payment_fingerprint": lambda: "pm_" + draw(ID_TEXT),
        "indicator_type": lambda: draw(st.sampled_from(INDICATOR_TYPES)),
        "organization": lambda: draw(ID_TEXT),
        "value": lambda: draw(ID_TEXT),
    }
    maker = makers.get(column, lambda: draw(TEXT))
    if column in context["required"]:
        return maker()
    choice = draw(st.integers(0, 3))  # missing, empty, or a value
    return None if choice == 0 else "" if choice == 1 else maker()


@st.composite
def tables_of(draw: st.DrawFn, name: str, ids: list[str], accounts: list[str]) -> Table:
    columns = _optional_columns(draw, name)
    context = {"accounts": accounts, "required": set(TABLES[name].required_columns)}
    rows = []
    key = TABLES[name].unique_key
    count = len(ids) if key else draw(st.integers(0, 5))
    for position in range(count):
        row = {c: _value(draw, c, context) for c in columns}
        if key:
            row[key] = ids[position]
        rows.append(row)
    file_format = draw(st.sampled_from(["csv", "csv.gz", "parquet"]))
    return Table(
        name, columns, rows, file_format, typed=draw(st.booleans()), crlf=draw(st.booleans())
    )


@st.composite
def datasets(draw: st.DrawFn) -> dict[str, Table]:
    account_ids = draw(st.lists(ID_TEXT, max_size=6, unique_by=str.strip))
    request_ids = draw(st.lists(ID_TEXT, max_size=12 if account_ids else 0, unique_by=str.strip))
    tables = {
        "accounts": draw(tables_of("accounts", account_ids, account_ids)),
        "requests": draw(tables_of("requests", request_ids, account_ids)),
    }
    for name in ("payment_methods", "ip_intel", "indicators"):
        if name == "payment_methods" and not account_ids:
            continue
        if draw(st.booleans()):
            tables[name] = draw(tables_of(name, [], account_ids))
    return tables


# --- writing a dataset ---------------------------------------------------------------------

TYPED = {"timestamp": pa.timestamp("us", tz="UTC"), "integer": pa.int64(), "boolean": pa.bool_()}


def _typed_column(values: list[str | None], kind: str) -> pa.Array:
    if kind == "timestamp":
        parsed = pd.to_datetime(pd.Series(values, dtype="object"), utc=True, format="ISO8601")
        return pa.array(parsed, type=TYPED[kind])
    if kind == "integer":
        return pa.array([None if v in (None, "") else int(v) for v in values], type=pa.int64())
    truth = {"true": True, "1": True, "yes": True}
    return pa.array([None if v in (None, "") else v.lower() in truth for v in values])


def _write_parquet(table: Table, path: Path) -> None:
    kinds = {c.name: c.kind for c in TABLES[table.name].columns}
    arrays = {}
    for column in table.columns:
        values = [row[column] for row in table.rows]
        kind = kinds.get(column, "string")
        if table.typed and kind in TYPED:
            arrays[column] = _typed_column(values, kind)
        else:
            arrays[column] = pa.array(values, type=pa.string())
    pq.write_table(pa.table(arrays), path)


def _csv_bytes(table: Table) -> bytes:
    buffer = io.StringIO()
    if table.crlf:
        writer = csv.writer(buffer, lineterminator="\r\n")
    else:
        writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(table.columns)
    for position, row in enumerate(table.rows):
        cells = ["" if row[c] is None else str(row[c]) for c in table.columns]
        if position in table.bad_bytes:
            cells[table.columns.index(table.bad_bytes[position])] = BAD_BYTES_MARK
        if position in table.extra_fields:
            cells += ["one field too many", "and another"]
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8").replace(BAD_BYTES_MARK.encode(), b"caf\xe9 \xff")


def write_dataset(tables: dict[str, Table], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for table in tables.values():
        path = folder / f"{table.name}.{table.file_format}"
        if table.file_format == "parquet":
            _write_parquet(table, path)
        elif table.file_format == "csv.gz":
            path.write_bytes(gzip.compress(_csv_bytes(table)))
        else:
            path.write_bytes(_csv_bytes(table))


def run_dataset(tables: dict[str, Table]) -> tuple[Any, dict[str, pd.DataFrame]]:
    """Run the main job on the dataset; return the run and the rejects as written."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        write_dataset(tables, folder / "input")
        run = run_detection(folder / "input", Settings())
        paths = write_run_folder(run, folder / "out")
        for name in ("clusters", "campaigns", "takedown", "report", "stix", "run"):
            assert paths[name].is_file(), name
        written = {
            path.stem: pd.read_csv(path, dtype=str, keep_default_na=False)
            for path in (folder / "out" / "rejects").glob("*.csv")
        }
    return run, written


def _check_counts(run: Any, tables: dict[str, Table]) -> None:
    for name, table in tables.items():
        counts = run.info["rows"][name]
        assert counts["read"] == len(table.rows), name
        assert counts["read"] == counts["accepted"] + counts["rejected"], name


# --- properties ----------------------------------------------------------------------------


@SETTINGS
@given(datasets())
def test_every_input_the_contract_allows_runs_and_nothing_is_rejected(
    tables: dict[str, Table],
) -> None:
    run, written = run_dataset(tables)
    _check_counts(run, tables)
    rejected = {name: run.info["rows"][name]["rejected"] for name in tables}
    assert set(rejected.values()) == {0}, (rejected, written)
    # what was written is what was read: ids, and text cells (blank is missing, nothing else)
    accounts = tables["accounts"]
    assert sorted(run.accounts["account_id"]) == sorted(r["account_id"] for r in accounts.rows)
    read = run.accounts.set_index("account_id")
    for column in ("country", "org_id", "signup_pathway"):
        if column in accounts.columns:
            for row in accounts.rows:
                given_value = (row[column] or "").strip() or None
                got = read.at[row["account_id"], column]
                assert (None if pd.isna(got) else got) == given_value, (column, row)


@dataclass
class Mutation:
    name: str
    tables: tuple[str, ...]
    reason: str
    apply: Callable[[Table, int, st.DrawFn], None]
    csv_only: bool = False
    needs_earlier_row: bool = False


def _set(column: str, value: str | None) -> Callable[[Table, int, st.DrawFn], None]:
    def apply(table: Table, position: int, draw: st.DrawFn) -> None:
        if column not in table.columns:
            table.columns.append(column)
            for row in table.rows:
                row[column] = None
        table.rows[position][column] = value

    return apply


def _blank_required(table: Table, position: int, draw: st.DrawFn) -> None:
    column = draw(st.sampled_from(TABLES[table.name].required_columns))
    table.rows[position][column] = draw(st.sampled_from([None, "", "   "]))


def _duplicate_key(table: Table, position: int, draw: st.DrawFn) -> None:
    key = str(TABLES[table.name].unique_key)
    table.rows[position][key] = table.rows[draw(st.integers(0, position - 1))][key]


def _extra_fields(table: Table, position: int, draw: st.DrawFn) -> None:
    table.extra_fields.add(position)


def _bad_bytes(table: Table, position: int, draw: st.DrawFn) -> None:
    table.bad_bytes[position] = draw(st.sampled_from(table.columns))


MUTATIONS = [
    Mutation("blank required", tuple(TABLES), "missing required value", _blank_required),
    Mutation("bad timestamp", ("accounts",), "unparsable timestamp", _set("created_at", "x")),
    Mutation("bad ts", ("requests",), "unparsable timestamp", _set("ts", "2026-13-45T99:00")),
    Mutation("bad ip", ("requests",), "unparsable IP address", _set("ip", "999.1.1.1")),
    Mutation("bad ipv6", ("requests",), "unparsable IP address", _set("ip", "2001:db8::g")),
    Mutation("bad network", ("ip_intel",), "unparsable CIDR", _set("network", "10.0.0.0/33")),
    Mutation(
        "unknown account",
        ("requests", "payment_methods"),
        "unknown account",
        _set("account_id", "\u2603nobody"),
    ),
    Mutation(
        "duplicate", ("accounts", "requests"), "duplicate", _duplicate_key, needs_earlier_row=True
    ),
    Mutation("bad integer", ("requests",), "not a whole number", _set("input_tokens", "1.5")),
    Mutation("bad asn", ("ip_intel",), "not a whole number", _set("asn", "AS-one")),
    Mutation("bad boolean", ("accounts",), "not true or false", _set("org_verified", "maybe")),
    Mutation("bad float", ("indicators",), "is not a number", _set("confidence", "high")),
    Mutation("confidence", ("indicators",), "outside 0..1", _set("confidence", "1.5")),
    Mutation(
        "indicator type", ("indicators",), "unknown indicator_type", _set("indicator_type", "shoe")
    ),
    Mutation(
        "card number",
        ("payment_methods",),
        "card number",
        _set("payment_fingerprint", "4111-1111-1111-1111"),
    ),
    Mutation("malformed", tuple(TABLES), "does not parse as CSV", _extra_fields, csv_only=True),
    Mutation("bad bytes", tuple(TABLES), "not UTF-8", _bad_bytes, csv_only=True),
]


@st.composite
def mutated_datasets(draw: st.DrawFn) -> tuple[dict[str, Table], str, int, Mutation]:
    tables = draw(datasets())
    candidates = [
        (mutation, name)
        for mutation in MUTATIONS
        for name in mutation.tables
        if name in tables
        and len(tables[name].rows) >= (2 if mutation.needs_earlier_row else 1)
        and not (mutation.csv_only and tables[name].file_format == "parquet")
    ]
    if not candidates:  # nothing to break: add one account row and break that
        tables["accounts"].rows.append(
            {c: None for c in tables["accounts"].columns}
            | {"account_id": "extra", "created_at": "2026-10-01T00:00:00Z"}
        )
        candidates = [(MUTATIONS[0], "accounts")]
    mutation, name = draw(st.sampled_from(candidates))
    table = tables[name]
    low = 1 if mutation.needs_earlier_row else 0
    position = draw(st.integers(low, len(table.rows) - 1))
    table.typed = False  # the broken value is written as text
    mutation.apply(table, position, draw)
    return tables, name, position, mutation


@SETTINGS
@given(mutated_datasets())
def test_a_broken_row_is_rejected_with_its_reason_and_counted(
    case: tuple[dict[str, Table], str, int, Mutation],
) -> None:
    tables, name, position, mutation = case
    run, written = run_dataset(tables)
    _check_counts(run, tables)
    rejects = run.rejects[name]
    row = rejects[rejects["_row"] == position + 1]
    assert len(row) == 1, (mutation.name, rejects.to_dict("records"))
    assert mutation.reason in row["_reason"].iloc[0], (mutation.name, row.to_dict("records"))
    # the same row, with its reason, in rejects/<table>.csv
    on_disk = written[name]
    assert (
        on_disk.loc[on_disk["_row"] == str(position + 1), "_reason"]
        .str.contains(mutation.reason, regex=False)
        .any()
    )
    if mutation.name == "card number":
        assert not on_disk.apply(lambda c: c.str.contains("4111-1111")).any().any()


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_every_mutation_names_a_table_of_the_contract(mutation: Mutation) -> None:
    assert set(mutation.tables) <= set(TABLES)
