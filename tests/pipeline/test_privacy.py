"""Personal data: no card number in any output, short rejected prompts, and --redact."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from linkage.cli import app
from linkage.io.privacy import (
    CARD_PLACEHOLDER,
    pseudonym,
)

runner = CliRunner()

CARD = "4111111111111111"
"""A test card number (passes the Luhn check)."""
CARD_FORMS = (CARD, "4111 1111 1111 1111", "4111-1111-1111-1111")


def _texts_of(folder: Path) -> dict[Path, str]:
    """Every output file as text; Parquet tables as the text of all their cells."""
    texts = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            texts[path] = frame.astype("str").to_csv(index=False) + " ".join(frame.columns)
        else:
            texts[path] = path.read_bytes().decode("utf-8", errors="replace")
    return texts


def _found(folder: Path, needles: tuple[str, ...]) -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(folder)), needle)
        for path, text in _texts_of(folder).items()
        for needle in needles
        if needle in text
    ]


ACCOUNTS = """account_id,created_at,email,display_name
a1,2026-10-01T00:00:00Z,ann.lee+x@example.org,Ann Lee
a2,2026-10-01T01:00:00Z,bo@corp.example,Bo Chen
a3,not-a-time,card@example.org,card 4111 1111 1111 1111
"""

REQUESTS = (
    "request_id,account_id,ts,ip,api_key_id,prompt\n"
    + "".join(
        f"r{i},a{1 + i % 2},2026-10-02T{i:02d}:00:00Z,203.0.113.9,key-{1 + i % 2},"
        f"Think step by step about case {i} and show your reasoning\n"
        for i in range(12)
    )
    + f"b1,a1,yesterday,203.0.113.9,key-1,pay with {CARD} please "
    + "x" * 1500
    + "\n"
)

PAYMENTS = f"""account_id,payment_fingerprint,billing_name
a1,pm_shared_1,Ann Lee
a2,pm_shared_1,Ann Lee
a2,4111-1111-1111-1111,Bo Chen
a1,pm_x,"Ann Lee",{CARD},extra fields
"""


@pytest.fixture()
def input_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    (folder / "requests.csv").write_text(REQUESTS, encoding="utf-8")
    (folder / "payment_methods.csv").write_text(PAYMENTS, encoding="utf-8")
    (folder / "indicators.csv").write_text(
        "indicator_type,value,organization\n"
        "email,ann.lee@example.org,Kestrel AI\n"
        "billing_name,Ann Lee,Kestrel AI\n"
        "payment_fingerprint,pm_shared_1,Kestrel AI\n",
        encoding="utf-8",
    )
    return folder


def test_a_planted_card_number_is_in_no_output(input_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--input", str(input_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rejects = pd.read_csv(out / "rejects" / "payment_methods.csv", dtype=str)
    assert rejects["_reason"].str.contains("does not parse as CSV").sum() == 1
    assert rejects["_reason"].str.contains("card number").sum() == 1
    assert _found(out, CARD_FORMS) == []
    assert CARD_PLACEHOLDER in (out / "rejects" / "payment_methods.csv").read_text()
    assert CARD_PLACEHOLDER in (out / "rejects" / "accounts.csv").read_text()


def test_rejected_prompts_are_cut(input_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", "--input", str(input_dir), "--out", str(out)]).exit_code == 0
    rejected = pd.read_csv(out / "rejects" / "requests.csv", dtype=str)
    (prompt,) = rejected["prompt"]
    assert len(prompt) <= 201 and prompt.startswith("pay with [card number withheld]")


# --- --redact ------------------------------------------------------------------------------

KEY = "redaction-key-for-tests-0123456789"
RAW_IDENTIFIERS = (
    "ann.lee",  # the email's local part, raw and canonical
    "annlee@",
    "bo@corp.example",
    "Ann Lee",
    "ann lee",  # the normalised billing name
    "Bo Chen",
    "pm_shared_1",
    "pm_x",
    "key-1",
    "key-2",
)


@pytest.fixture()
def redacted(input_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LINKAGE_REDACTION_KEY", KEY)
    out = tmp_path / "redacted"
    result = runner.invoke(app, ["run", "--input", str(input_dir), "--out", str(out), "--redact"])
    assert result.exit_code == 0, result.output
    return out


def test_redacted_outputs_hold_no_raw_identifier(redacted: Path) -> None:
    assert _found(redacted, RAW_IDENTIFIERS + CARD_FORMS) == []
    info = json.loads((redacted / "run.json").read_text())
    assert info["redacted"] is True
    assert KEY not in (redacted / "run.json").read_text()


def test_one_value_one_pseudonym_across_the_run_folder(redacted: Path) -> None:
    key = KEY.encode()
    accounts = pd.read_parquet(redacted / "graph" / "accounts.parquet").set_index("account_id")
    assert accounts.at["a1", "email"] == pseudonym(key, "email", "ann.lee+x@example.org")
    canonical = pseudonym(key, "email", "ann.lee@example.org")
    assert accounts.at["a1", "email_canonical"] == canonical
    fingerprint = pseudonym(key, "card", "pm_shared_1")
    payments = pd.read_parquet(redacted / "graph" / "payments.parquet")
    assert set(payments["payment_fingerprint"]) == {fingerprint}
    attributes = pd.read_parquet(redacted / "graph" / "account_attributes.parquet")
    assert fingerprint in set(attributes.loc[attributes["attr_type"] == "payment", "attr_value"])
    assert pseudonym(key, "key", "key-1") in set(attributes["attr_value"])
    matches = pd.read_parquet(redacted / "graph" / "indicator_matches.parquet")
    by_type = matches.set_index("indicator_type")["indicator_value"].to_dict()
    assert by_type["payment_fingerprint"] == fingerprint
    assert by_type["email"] == canonical
    campaigns = (redacted / "campaigns.json").read_text()
    assert fingerprint in campaigns and canonical in campaigns


def test_redaction_does_not_change_the_shared_bundle(
    input_dir: Path, redacted: Path, tmp_path: Path
) -> None:
    plain = tmp_path / "plain"
    assert (
        runner.invoke(app, ["run", "--input", str(input_dir), "--out", str(plain)]).exit_code == 0
    )
    assert (plain / "indicators.stix.json").read_bytes() == (
        redacted / "indicators.stix.json"
    ).read_bytes()
    for name in ("clusters.csv", "takedown.csv"):
        assert (plain / name).read_bytes() == (redacted / name).read_bytes(), name
