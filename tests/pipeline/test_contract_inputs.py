"""Hand-made inputs the contract allows, run end to end through the command line.

A dataset with only the required columns, one with header-only tables, one where every
account is rejected, and a small public-style dataset (request events in the shape of the
Glasswally sample, converted to the contract by hand) each run without a traceback; and
the command line stops with one line, before any work, on outputs it cannot write.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from linkage.cli import app
from linkage.cli.common import EXIT_UNEXPECTED, LOG_DIR_ENV

runner = CliRunner()


def _said(result: Result) -> str:
    return " ".join(result.output.split())


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _run(input_dir: Path, out_dir: Path, *extra: str) -> Result:
    return runner.invoke(app, ["run", "--input", str(input_dir), "--out", str(out_dir), *extra])


def _rows(out_dir: Path) -> dict[str, dict[str, int]]:
    return json.loads((out_dir / "run.json").read_text(encoding="utf-8"))["rows"]


OUTPUTS = ("clusters.csv", "campaigns.json", "takedown.csv", "report.html")
OUTPUTS += ("indicators.stix.json", "run.json")

MINIMAL = {
    "accounts.csv": "account_id,created_at\n"
    "a1,2026-10-01T00:00:00Z\n"
    "a2,2026-10-01T09:30:00+05:30\n"
    "a3,2026-10-01\n",
    "requests.csv": "request_id,account_id,ts,ip\n"
    "r1,a1,2026-10-02T10:00:00Z,203.0.113.7\n"
    "r2,a2,2026-10-02T10:00:01-08:00,2001:db8::7\n"
    "r3,a3,2026-10-02 10:00:02,2001:DB8:0:0:0:0:0:7\n"
    "r4,a1,2026-10-02T10:00:03.250Z,203.0.113.7\n",
}


def test_a_dataset_with_only_the_required_columns_runs(tmp_path: Path) -> None:
    result = _run(_write(tmp_path / "in", MINIMAL), tmp_path / "out")
    assert result.exit_code == 0, result.output
    for name in OUTPUTS:
        assert (tmp_path / "out" / name).is_file(), name
    assert _rows(tmp_path / "out") == {
        "accounts": {"read": 3, "accepted": 3, "rejected": 0},
        "requests": {"read": 4, "accepted": 4, "rejected": 0},
    }
    assert "report.html" in _said(result)


HEADER_ONLY = {
    "accounts.csv": "account_id,created_at,email\n",
    "requests.csv": "request_id,account_id,ts,ip,user_agent,prompt\n",
    "payment_methods.csv": "account_id,payment_fingerprint\n",
    "indicators.csv": "indicator_type,value,organization\n",
}


def test_a_header_only_dataset_runs_and_plans_an_empty_takedown(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _run(_write(tmp_path / "in", HEADER_ONLY), out)
    assert result.exit_code == 0, result.output
    for name in OUTPUTS:
        assert (out / name).is_file(), name
    assert set(_rows(out)) == {"accounts", "requests", "payment_methods", "indicators"}
    assert all(c == {"read": 0, "accepted": 0, "rejected": 0} for c in _rows(out).values())
    assert pd.read_csv(out / "clusters.csv").empty
    assert json.loads((out / "campaigns.json").read_text()) == []
    planned = runner.invoke(app, ["takedown", "plan", str(out)])
    assert planned.exit_code == 0, planned.output
    assert "suspend 0 accounts" in _said(planned)


def test_a_run_where_every_account_is_rejected_completes(tmp_path: Path) -> None:
    files = {
        "accounts.csv": "account_id,created_at\na1,yesterday\n,2026-10-01T00:00:00Z\n",
        "requests.csv": "request_id,account_id,ts,ip\nr1,a1,2026-10-02T00:00:00Z,203.0.113.1\n",
    }
    out = tmp_path / "out"
    result = _run(_write(tmp_path / "in", files), out)
    assert result.exit_code == 0, result.output
    assert _rows(out) == {
        "accounts": {"read": 2, "accepted": 0, "rejected": 2},
        "requests": {"read": 1, "accepted": 0, "rejected": 1},
    }
    requests = pd.read_csv(out / "rejects" / "requests.csv", dtype=str)
    assert requests["_reason"].tolist() == ["unknown account (not in accounts)"]


# --- a public-style dataset ----------------------------------------------------------------
# Request events shaped like the Glasswally sample (request_id, an sk-... account id,
# microsecond timestamps with offsets, ip_address, user_agent, model, prompt, token_count,
# payment_method_hash, asn_number/asn_org, campaign_label), converted to the contract by
# hand: accounts from the first event of each id, ip_intel from the per-IP ASN, labels from
# campaign_label.

HARVEST = [f"sk-7c1e{n:02d}aa90b2" for n in range(6)]
PUBLIC = ["sk-f1d45d52921a", "sk-521de7f4a5b6", "sk-c0df06e147f7", "sk-1da4ef14b455"]
PUBLIC_IPS = ["148.242.124.201", "103.169.14.30", "50.35.23.170", "65.13.46.59"]
PUBLIC_CARDS = ["ef1415100b38e9f2", "506fc3cef56a4294", "42426f9ca559c28a", "5b835c4f39fc5369"]
PUBLIC_PROMPTS = [
    "Compare React and Vue for frontend development.",
    "My cat keeps knocking things off the table, why?",
    "What are best practices for REST API design?",
    "What foods are high in vitamin C?",
]


def _glasswally_style() -> dict[str, str]:
    accounts = ["account_id,created_at,email"]
    for n, account in enumerate(HARVEST):
        accounts.append(f"{account},2026-02-27T0{n}:12:00.000000+00:00,cot.lab{n}@mailbox.example")
    for n, account in enumerate(PUBLIC):
        accounts.append(f"{account},2026-01-1{n}T08:00:00+01:00,person{n}@example.org")
    requests = ["request_id,account_id,ts,ip,user_agent,model,prompt,input_tokens"]
    for i in range(96):
        account = HARVEST[i % 6]
        ip = f"45.61.140.{10 + i % 4}"
        prompt = (
            f'"Think step by step and show your reasoning before the final answer. '
            f"Problem {i}: a train leaves at {i % 12} o'clock, when does it arrive?\""
        )
        stamp = f"2026-03-01T{i % 24:02d}:{(i * 7) % 60:02d}:01.{i:06d}+00:00"
        requests.append(
            f"req-h{i:04d},{account},{stamp},{ip},python-requests/2.31.0,claude-3-haiku,"
            f"{prompt},{200 + i}"
        )
    for i in range(12):
        account, ip = PUBLIC[i % 4], PUBLIC_IPS[i % 4]
        stamp = f"2026-03-0{1 + i % 3}T12:00:0{i % 10}.273192+00:00"
        requests.append(
            f"req-p{i:04d},{account},{stamp},{ip},Mozilla/5.0 (X11; Linux x86_64),gpt-4o,"
            f'"{PUBLIC_PROMPTS[i % 4]}",{80 + i}'
        )
    payments = ["account_id,payment_fingerprint"]
    payments += [f"{a},e072f4ed5ec6562b" for a in HARVEST[:3]]
    payments += [f"{a},{fingerprint}" for a, fingerprint in zip(PUBLIC, PUBLIC_CARDS, strict=True)]
    intel = ["network,asn,as_org,kind"]
    intel += [f"45.61.140.{10 + n}/32,64500,Example Hosting,hosting" for n in range(4)]
    intel += [f"{ip}/32,5089,Virgin Media,residential" for ip in PUBLIC_IPS]
    labels = ["account_id,campaign_id,organization"]
    labels += [f"{a},cot-harvest," for a in HARVEST] + [f"{a},," for a in PUBLIC]
    return {
        "accounts.csv": "\n".join(accounts) + "\n",
        "requests.csv": "\n".join(requests) + "\n",
        "payment_methods.csv": "\n".join(payments) + "\n",
        "ip_intel.csv": "\n".join(intel) + "\n",
        "labels.csv": "\n".join(labels) + "\n",
    }


def test_a_public_style_dataset_runs_end_to_end(tmp_path: Path) -> None:
    data = _write(tmp_path / "in", _glasswally_style())
    out = tmp_path / "out"
    result = _run(data, out)
    assert result.exit_code == 0, result.output
    rows = _rows(out)
    assert rows["accounts"] == {"read": 10, "accepted": 10, "rejected": 0}
    assert rows["requests"] == {"read": 108, "accepted": 108, "rejected": 0}
    assert rows["ip_intel"] == {"read": 8, "accepted": 8, "rejected": 0}
    assert rows["payment_methods"] == {"read": 7, "accepted": 7, "rejected": 0}
    evaluated = runner.invoke(
        app, ["evaluate", "--labels", str(data / "labels.csv"), "--out", str(out)]
    )
    assert evaluated.exit_code == 0, evaluated.output
    evaluation = json.loads((out / "evaluation.json").read_text())
    assert evaluation["accounts_labelled"] == 10 and evaluation["campaigns_total"] == 1
    planned = runner.invoke(app, ["takedown", "plan", str(out)])
    assert planned.exit_code == 0, planned.output


# --- outputs checked before the work starts ------------------------------------------------


@pytest.fixture()
def no_detection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Detection must not start: any call fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("detection started although the outputs were known to be bad")

    monkeypatch.setattr("linkage.jobs.run_detection", refuse)


@pytest.mark.usefixtures("no_detection")
def test_out_naming_a_file_stops_before_any_work(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("not a folder", encoding="utf-8")
    result = _run(_write(tmp_path / "in", MINIMAL), taken)
    assert result.exit_code == 1
    assert "is a file, not a folder" in _said(result)
    assert result.output.count("error:") == 1 and "Traceback" not in result.output
    nested = _run(tmp_path / "in", taken / "below")
    assert nested.exit_code == 1 and "cannot be created" in _said(nested)


@pytest.mark.usefixtures("no_detection")
def test_bad_keys_stop_before_any_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _write(tmp_path / "in", MINIMAL)
    monkeypatch.setenv("LINKAGE_SHARING_KEY", "short")
    result = _run(data, tmp_path / "out")
    assert result.exit_code == 1 and "LINKAGE_SHARING_KEY" in _said(result)
    monkeypatch.delenv("LINKAGE_SHARING_KEY")
    monkeypatch.delenv("LINKAGE_REDACTION_KEY", raising=False)
    result = _run(data, tmp_path / "out", "--redact")
    assert result.exit_code == 1 and "LINKAGE_REDACTION_KEY" in _said(result)
    assert not (tmp_path / "out").exists()


def test_an_unexpected_failure_is_one_line_and_a_log_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("something nobody planned for")

    monkeypatch.setattr("linkage.jobs.run_detection", boom)
    monkeypatch.setenv(LOG_DIR_ENV, str(tmp_path / "logs"))
    result = _run(_write(tmp_path / "in", MINIMAL), tmp_path / "out")
    assert result.exit_code == EXIT_UNEXPECTED
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "ZeroDivisionError: something nobody planned for" in lines[0]
    (log,) = (tmp_path / "logs").glob("linkage-error-*.log")
    assert str(log) in _said(result)
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "something nobody planned for" in text


def test_the_demo_key_is_named_when_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINKAGE_SHARING_KEY", raising=False)
    result = _run(_write(tmp_path / "in", MINIMAL), tmp_path / "out")
    assert result.exit_code == 0
    assert "public demo key" in _said(result)
    monkeypatch.setenv("LINKAGE_SHARING_KEY", "a-real-partner-key-0123456789")
    result = _run(tmp_path / "in", tmp_path / "out2")
    assert result.exit_code == 0 and "demo key" not in _said(result)


# --- evaluate ------------------------------------------------------------------------------


@pytest.fixture()
def minimal_run(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    assert _run(_write(tmp_path / "in", MINIMAL), out).exit_code == 0
    return out


def test_labels_without_campaign_id_are_refused(minimal_run: Path, tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text("account_id,campaign\na1,x\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "--labels", str(labels), "--out", str(minimal_run)])
    assert result.exit_code == 1
    assert "no column campaign_id" in _said(result) and "Traceback" not in result.output


def test_labels_of_another_dataset_are_refused_and_nothing_is_written(
    minimal_run: Path, tmp_path: Path
) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text("account_id,campaign_id\nzz1,k\nzz2,\n", encoding="utf-8")
    (minimal_run / "evaluation.json").write_text('{"earlier": true}', encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "--labels", str(labels), "--out", str(minimal_run)])
    assert result.exit_code == 1
    assert "none of the 2 labelled accounts is in the run" in _said(result)
    assert json.loads((minimal_run / "evaluation.json").read_text()) == {"earlier": True}


def test_labels_partly_outside_the_run_are_evaluated_with_a_warning(
    minimal_run: Path, tmp_path: Path
) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text("account_id,campaign_id\na1,k\nzz2,\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "--labels", str(labels), "--out", str(minimal_run)])
    assert result.exit_code == 0, result.output
    assert "1 of 2 labelled accounts are not in the run" in _said(result)
    assert json.loads((minimal_run / "evaluation.json").read_text())["accounts_labelled"] == 2


# --- help ----------------------------------------------------------------------------------

COMMANDS = [
    [],
    ["run"],
    ["generate"],
    ["evaluate"],
    ["settings"],
    ["takedown"],
    ["takedown", "plan"],
    ["takedown", "apply"],
    ["neo4j", "load"],
    ["neo4j", "query"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "linkage")
def test_help_reads_as_people_write_it(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], terminal_width=120)
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    usage = next(line for line in result.output.splitlines() if "Usage:" in line)
    assert "{" not in usage, usage
