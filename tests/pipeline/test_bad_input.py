"""A corpus with every kind of broken row: right rejects, right counts, and the run completes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from linkage.cli import app
from linkage.errors import InputContractError
from linkage.io.run_folder import write_csv
from linkage.jobs import run_detection as run
from linkage.jobs import write_run_folder as write_run
from linkage.settings import Settings

ACCOUNTS = """account_id,created_at,email,org_id
a1,2026-10-01T00:00:00Z,one@example.org,
a2,2026-10-01T01:00:00Z,two@example.org,
a3,2026-10-01T02:00:00Z,three@example.org,
a3,2026-10-01T03:00:00Z,dup@example.org,
a4,yesterday,four@example.org,
,2026-10-01T04:00:00Z,noid@example.org,
"""

REQUESTS_HEADER = "request_id,account_id,ts,ip,user_agent,prompt,output_tokens\n"


def _request_lines() -> list[bytes]:
    good = [
        f"r{i},a{1 + i % 3},2026-10-02T{i % 24:02d}:00:00Z,203.0.113.{1 + i % 4},sdk/1.0,"
        f"Think step by step and show your reasoning about case {i},{100 + i}\n"
        for i in range(30)
    ]
    lines = [line.encode() for line in good]
    lines += [
        b"b1,a1,not-a-time,203.0.113.9,sdk/1.0,hello,1\n",  # bad timestamp
        b"b2,a1,2026-10-02T10:00:00Z,999.1.1.1,sdk/1.0,hello,1\n",  # bad IP
        b"b3,zz,2026-10-02T10:00:00Z,203.0.113.9,sdk/1.0,hello,1\n",  # unknown account
        b"r1,a2,2026-10-02T10:00:00Z,203.0.113.9,sdk/1.0,hello again,1\n",  # duplicate id
        b"b5,a1,2026-10-02T10:00:00Z,203.0.113.9,sdk/1.0,caf\xe9 latin-1 bytes,1\n",  # not UTF-8
        b"b6,a1,2026-10-02T10:00:00Z,203.0.113.9,sdk/1.0,too,many,fields,here\n",  # malformed
        b"b7,a1,2026-10-02T10:00:00Z,203.0.113.9,sdk/1.0," + b"x" * 1_000_000 + b",5\n",  # 1 MB
        b"b8,a4,2026-10-02T10:00:00Z,203.0.113.9,sdk/1.0,orphan of a rejected account,1\n",
        b"b9,a1,2026-10-02T10:00:00Z,203.0.113.9,sdk/1.0,tokens,many\n",  # bad integer
    ]
    return lines


PAYMENTS = """account_id,payment_fingerprint,billing_name
a1,pm_aaaa,Ann
a2,pm_aaaa,Ann
a3,4111 1111 1111 1111,Card Number
a2,,Missing
"""


@pytest.fixture()
def broken_input(tmp_path: Path) -> Path:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    with gzip.open(folder / "requests.csv.gz", "wb") as handle:
        handle.write(REQUESTS_HEADER.encode())
        for line in _request_lines():
            handle.write(line)
    (folder / "payment_methods.csv").write_text(PAYMENTS, encoding="utf-8")
    (folder / "ip_intel.csv").write_bytes(b"")  # an empty file
    (folder / "indicators.csv").write_text(
        "indicator_type,value,organization,confidence\n"
        "email,one@example.org,Kestrel AI,0.9\n"
        "shoe_size,42,Nobody,0.5\n"
        "asn,64500,Someone,1.7\n",
        encoding="utf-8",
    )
    return folder


def test_each_broken_row_is_rejected_with_its_reason(broken_input: Path, tmp_path: Path) -> None:
    result = run(broken_input, Settings())
    counts = result.info["rows"]
    assert counts["accounts"] == {"read": 6, "accepted": 3, "rejected": 3}
    assert counts["requests"] == {"read": 39, "accepted": 31, "rejected": 8}
    assert counts["payment_methods"] == {"read": 4, "accepted": 2, "rejected": 2}
    assert counts["indicators"] == {"read": 3, "accepted": 1, "rejected": 2}
    assert counts["ip_intel"] == {"read": 0, "accepted": 0, "rejected": 0}
    for table in counts.values():
        assert table["read"] == table["accepted"] + table["rejected"]

    rejects = result.rejects["requests"].set_index("request_id", drop=False)
    reasons = rejects["_reason"].to_dict()
    assert "unparsable timestamp" in reasons["b1"]
    assert "unparsable IP address" in reasons["b2"]
    assert "unknown account" in reasons["b3"]
    assert "not UTF-8" in reasons["b5"]
    assert "unknown account" in reasons["b8"]  # its account was rejected
    assert "not a whole number" in reasons["b9"]
    duplicate = rejects[rejects["_reason"].str.contains("duplicate request_id")]
    assert len(duplicate) == 1 and duplicate["_row"].iloc[0] == 34
    malformed = rejects[rejects["_reason"].str.contains("does not parse as CSV")]
    assert len(malformed) == 1 and malformed["_row"].iloc[0] == 36
    # the row numbers name the data row in the file (1 = first row after the header)
    assert rejects.loc["b1", "_row"] == 31 and rejects.loc["b1", "_column"] == "ts"

    assert "b7" not in set(result.rejects["requests"]["request_id"])  # the 1 MB prompt is kept
    assert any("cut to" in note for note in result.info["notes"])

    card = result.rejects["payment_methods"]
    assert card["_reason"].str.contains("card number").sum() == 1
    assert not card["payment_fingerprint"].str.contains("4111").any()  # never stored

    out = tmp_path / "out"
    write_run(result, out)
    info = json.loads((out / "run.json").read_text())
    assert info["rows"]["requests"]["rejected"] == 8
    written = pd.read_csv(out / "rejects" / "requests.csv", dtype=str)
    assert len(written) == 8 and {"_row", "_column", "_reason"} <= set(written.columns)


def test_missing_required_table_stops_before_any_work(broken_input: Path) -> None:
    (broken_input / "accounts.csv").unlink()
    with pytest.raises(InputContractError, match="required table 'accounts' is missing"):
        run(broken_input, Settings())


def test_missing_required_column_names_file_and_column(broken_input: Path, tmp_path: Path) -> None:
    accounts = pd.read_csv(broken_input / "accounts.csv", dtype=str).drop(columns=["created_at"])
    accounts.to_csv(broken_input / "accounts.csv", index=False)
    runner = CliRunner()
    out = tmp_path / "never"
    outcome = runner.invoke(app, ["run", "--input", str(broken_input), "--out", str(out)])
    assert outcome.exit_code == 1
    assert "accounts.csv" in outcome.output and "created_at" in outcome.output
    assert not out.exists()  # stopped before any work


def test_a_rejected_value_holding_a_carriage_return_stays_on_its_row(tmp_path: Path) -> None:
    rejects = pd.DataFrame(
        {"api_key_id": ["key\r", "a\x85b", None], "_row": [5, 6, 7], "_reason": ["x", "y", "z"]}
    )
    write_csv(rejects, tmp_path / "requests.csv")
    back = pd.read_csv(tmp_path / "requests.csv", dtype=str, keep_default_na=False)
    assert back["_row"].tolist() == ["5", "6", "7"]
    assert back["api_key_id"].tolist() == ["key\r", "a\x85b", ""]
