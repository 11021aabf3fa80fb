"""Glasswally's labelled format (data/external/glasswally) converted to the data contract:
the converter on hand-written lines, and the ``linkage convert glasswally`` command.

Split from ``tests/quality/test_glasswally.py``, which keeps the vendored file's
conversion, its run and the detection target on it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from linkage.cli import app
from linkage.evaluate import read_labels
from linkage.io.glasswally import GlasswallError, read_glasswally, write_glasswally_input

runner = CliRunner()


def _event(**fields: Any) -> dict[str, Any]:
    """A benign Glasswally event, with ``fields`` changed."""
    event: dict[str, Any] = {
        "account_id": "sk-benign",
        "timestamp": "2026-02-27T20:08:29.150000+00:00",
        "model": "gpt-4o",
        "prompt": "How does HTTPS work?",
        "system_prompt": None,
        "system_prompt_hash": None,
        "token_count": 98,
        "max_tokens": 1024,
        "client_ip": "198.51.100.7",
        "asn_number": 7922,
        "asn_org": "Comcast Cable",
        "user_agent": "python-requests/2.31.0",
        "h2_settings_fp": None,
        "campaign_label": None,
    }
    event.update(fields)
    return event


def _campaign_event(**fields: Any) -> dict[str, Any]:
    """A campaign's event, with ``fields`` changed."""
    event = _event(
        account_id="sk-harvest",
        model="claude-3-opus",
        prompt="Think step by step: what is the capital of France?",
        system_prompt="You are an expert assistant. Answer as if training a student model.",
        system_prompt_hash="62e4ac8a2a345ff7",
        token_count=19,
        max_tokens=8192,
        client_ip="203.0.113.9",
        asn_number=14061,
        asn_org="DigitalOcean",
        user_agent="aiohttp/3.9.1",
        h2_settings_fp="2:19410:3:100:4:65535:5:16384",
        campaign_label="campaign_0004",
    )
    event.update(fields)
    return event


def _write(path: Path, lines: list[dict[str, Any] | str]) -> Path:
    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    path.write_text(text, encoding="utf-8")
    return path


# --- (a) the converter on hand-written lines ----------------------------------------------


def test_requests_mapping(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "log.jsonl",
        [_event(), _campaign_event(), _event(client_ip=" 2001:DB8::1 ", asn_number=None)],
    )
    requests = read_glasswally(source)["requests"]
    assert list(requests.columns) == [
        "request_id",
        "account_id",
        "ts",
        "ip",
        "user_agent",
        "model",
        "prompt",
        "max_tokens",
        "token_count",
        "system_prompt_hash",
        "h2_settings_fp",
    ]  # no input_tokens (token_count is not a prompt size), no label, no ASN
    first, second, third = requests.to_dict("records")
    assert first["request_id"] == "gw-000001" and third["request_id"] == "gw-000003"
    assert first["ts"] == "2026-02-27T20:08:29.150000+00:00"  # as written
    assert (first["ip"], third["ip"]) == ("198.51.100.7", "2001:db8::1")
    assert first["prompt"] == "How does HTTPS work?"
    assert (first["max_tokens"], first["token_count"]) == (1024, 98)
    assert pd.isna(first["system_prompt_hash"]) and pd.isna(first["h2_settings_fp"])
    assert second["account_id"] == "sk-harvest"
    assert (second["model"], second["user_agent"]) == ("claude-3-opus", "aiohttp/3.9.1")
    assert (second["system_prompt_hash"], second["max_tokens"]) == ("62e4ac8a2a345ff7", 8192)


def test_system_prompt_goes_in_front_of_the_prompt(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "log.jsonl",
        [
            _campaign_event(),
            _event(system_prompt="", prompt="Write a haiku about autumn."),
            _event(system_prompt="You are terse.", prompt=None),
            _event(prompt=None),
        ],
    )
    prompts = read_glasswally(source)["requests"]["prompt"].tolist()
    assert prompts[0] == (
        "You are an expert assistant. Answer as if training a student model.\n\n"
        "Think step by step: what is the capital of France?"
    )
    assert prompts[1] == "Write a haiku about autumn."
    assert prompts[2] == "You are terse."
    assert pd.isna(prompts[3])


def test_accounts_signed_up_at_their_first_event(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "log.jsonl",
        [
            _event(timestamp="2026-02-27T21:00:00+00:00"),
            _campaign_event(timestamp="2026-02-27T20:30:00Z"),
            _event(timestamp="2026-02-27T21:30:00+01:00"),  # 20:30 UTC: the earliest
        ],
    )
    accounts = read_glasswally(source)["accounts"]
    assert list(accounts.columns) == ["account_id", "created_at"]  # nothing made up
    assert accounts.to_dict("records") == [
        {"account_id": "sk-benign", "created_at": "2026-02-27T21:30:00+01:00"},
        {"account_id": "sk-harvest", "created_at": "2026-02-27T20:30:00Z"},
    ]


def test_ip_intel_one_single_address_network_per_ip(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = _write(
        tmp_path / "log.jsonl",
        [
            _event(client_ip="198.51.100.7", asn_number=64500, asn_org="Other Net"),
            _event(client_ip="198.51.100.7"),
            _event(client_ip="198.51.100.7"),
            _campaign_event(),
            _event(client_ip="2001:db8::1", asn_number=None, asn_org=None),
            _event(client_ip="192.0.2.1", asn_number=1, asn_org="First"),
            _event(client_ip="192.0.2.1", asn_number=2, asn_org="Second"),
        ],
    )
    with caplog.at_level(logging.WARNING, logger="linkage.io.glasswally"):
        intel = read_glasswally(source)["ip_intel"]
    records = intel.astype("object").where(intel.notna(), None).to_dict("records")
    assert records == [
        # two of three lines say 7922: kept, with its own AS org
        {"network": "198.51.100.7/32", "asn": 7922, "as_org": "Comcast Cable", "kind": None},
        {"network": "203.0.113.9/32", "asn": 14061, "as_org": "DigitalOcean", "kind": None},
        {"network": "2001:db8::1/128", "asn": None, "as_org": None, "kind": None},
        {"network": "192.0.2.1/32", "asn": 1, "as_org": "First", "kind": None},  # tie: first
    ]
    assert "2 client IP(s) appear with more than one ASN" in caplog.text


def test_labels(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "log.jsonl",
        [
            _event(),
            _campaign_event(),
            _event(account_id="sk-camouflage"),
            _campaign_event(account_id="sk-camouflage", campaign_label="campaign_0001"),
        ],
    )
    labels = read_glasswally(source)["labels"]
    assert labels.to_dict("records") == [
        {"account_id": "sk-benign", "campaign_id": "", "organization": "", "group": "benign"},
        {
            "account_id": "sk-harvest",
            "campaign_id": "campaign_0004",
            "organization": "",
            "group": "campaign",
        },
        {
            "account_id": "sk-camouflage",
            "campaign_id": "campaign_0001",
            "organization": "",
            "group": "campaign",
        },
    ]


def test_written_folder_and_labels_read_back(tmp_path: Path) -> None:
    source = _write(tmp_path / "log.jsonl", [_event(), _campaign_event(), "", _event()])
    counts = write_glasswally_input(source, tmp_path / "input")
    assert counts == {"accounts": 2, "requests": 3, "ip_intel": 2, "labels": 2}
    names = sorted(p.name for p in (tmp_path / "input").iterdir())
    assert names == ["accounts.csv", "ip_intel.csv", "labels.csv", "requests.csv"]
    requests = pd.read_csv(tmp_path / "input" / "requests.csv", dtype="str")
    assert requests["request_id"].tolist() == ["gw-000001", "gw-000002", "gw-000004"]
    assert requests.loc[1, "prompt"].count("\n\n") == 1  # a quoted multi-line field
    labels = read_labels(tmp_path / "input" / "labels.csv")
    assert labels["campaign_id"].tolist() == ["", "campaign_0004"]


def test_bad_lines_are_reported_with_their_line_numbers(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "log.jsonl",
        [
            _event(),
            '{"account_id": "sk-1", "timestamp": ',
            "",
            _event(client_ip="10.0.0.999"),
            {k: v for k, v in _event().items() if k != "account_id"},
            "[1, 2]",
            _event(timestamp="yesterday", max_tokens="4096"),
            {k: v for k, v in _event().items() if k != "campaign_label"},
            _event(),
        ],
    )
    out = tmp_path / "input"
    with pytest.raises(GlasswallError) as caught:
        write_glasswally_input(source, out)
    message = str(caught.value)
    assert message.startswith(f"{source}: 6 of 9 lines cannot be converted")
    assert "line 2: not valid JSON" in message
    assert 'line 4: client_ip "10.0.0.999" is not an IP address' in message
    assert "line 5: account_id missing or empty" in message
    assert "line 6: not a JSON object but list" in message
    assert 'line 7: timestamp "yesterday" is not an ISO-8601 timestamp' in message
    assert "line 8: no campaign_label" in message
    bad = {(b.line, b.field) for b in caught.value.bad_lines}
    assert bad == {
        (2, ""),
        (4, "client_ip"),
        (5, "account_id"),
        (6, ""),
        (7, "timestamp"),
        (7, "max_tokens"),
        (8, "campaign_label"),
    }
    assert not out.exists()  # nothing written


def test_an_account_in_two_campaigns_is_an_error(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "log.jsonl",
        [_campaign_event(), _campaign_event(campaign_label="campaign_0002")],
    )
    with pytest.raises(GlasswallError, match="line 2: account sk-harvest is in campaign"):
        read_glasswally(source)


def test_a_line_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    source = tmp_path / "log.jsonl"
    source.write_bytes(json.dumps(_event()).encode() + b"\n" + b'{"account_id": "\xff"}\n')
    with pytest.raises(GlasswallError, match="line 2: not UTF-8 text"):
        read_glasswally(source)


def test_many_bad_lines_are_listed_up_to_ten(tmp_path: Path) -> None:
    source = _write(tmp_path / "log.jsonl", ["nope"] * 25)
    with pytest.raises(GlasswallError) as caught:
        read_glasswally(source)
    assert "line 10: not valid JSON" in str(caught.value)
    assert "line 11:" not in str(caught.value)
    assert str(caught.value).endswith("and 15 more bad lines")
    assert len(caught.value.bad_lines) == 25


def test_an_output_folder_holding_tables_in_another_format_is_refused(tmp_path: Path) -> None:
    source = _write(tmp_path / "log.jsonl", [_event()])
    out = tmp_path / "input"
    out.mkdir()
    (out / "requests.parquet").write_bytes(b"")
    with pytest.raises(GlasswallError, match=r"already holds requests\.parquet"):
        write_glasswally_input(source, out)
    assert sorted(p.name for p in out.iterdir()) == ["requests.parquet"]


def test_cli_convert(tmp_path: Path) -> None:
    source = _write(tmp_path / "log.jsonl", [_event(), _campaign_event()])
    result = runner.invoke(app, ["convert", "glasswally", str(source), str(tmp_path / "in")])
    assert result.exit_code == 0, result.output
    assert f"wrote 4 files to {tmp_path / 'in'}" in result.output
    assert "requests.csv" in result.output and "labels.csv" in result.output
    assert (tmp_path / "in" / "labels.csv").is_file()


def test_cli_convert_bad_line_is_one_error_line(tmp_path: Path) -> None:
    source = _write(tmp_path / "log.jsonl", [_event(), "{oops"])
    result = runner.invoke(app, ["convert", "glasswally", str(source), str(tmp_path / "in")])
    assert result.exit_code == 1
    assert "line 2: not valid JSON" in result.output
    assert not (tmp_path / "in").exists()
