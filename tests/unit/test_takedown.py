"""Takedown plan and apply: exclusions, blast radius, size stop, dry run, audit log, idempotency."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from linkage.cli import app
from linkage.deliver.takedown import (
    ACTION_COLUMNS,
    TakedownError,
    TakedownTooLargeError,
    apply_manifest,
    parse_allow_list,
    plan_takedown,
    write_manifest,
)
from linkage.errors import LinkageError
from linkage.io.run_folder import read_run
from linkage.run_model import CLUSTER_COLUMNS, GRAPH_TABLES, TAKEDOWN_COLUMNS

runner = CliRunner()

# cluster, score, organisation, accounts as
# (account_id, org_id, org_verified, signup_pathway, exchanges, member_confidence)
CLUSTERS = [
    (
        "HC-aaa",
        0.91,
        "Kestrel AI",
        [
            ("a1", None, False, "standard", 100, 0.9),
            ("a2", None, False, "standard", 80, 0.9),
            ("a3", "org_claimed", False, "education", 60, 0.9),
            ("a4", "org_acme", True, "enterprise", 40, 0.9),
        ],
    ),
    (
        "HC-bbb",
        0.72,
        None,
        [
            ("b1", None, False, "standard", 30, 0.9),
            ("b2", None, False, "startup_program", 20, 0.9),
            ("b3", None, False, None, 10, 0.9),
            ("b4", None, False, "standard", 10, 0.3),
        ],
    ),
    (
        "HC-ccc",
        0.65,
        "Partner Lab",
        [("c1", None, False, "research_program", 5, 0.9), ("c2", None, False, None, 5, 0.9)],
    ),
]


def _write_run_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "graph").mkdir()
    takedown, clusters, accounts, attributes, campaigns = [], [], [], [], []
    for cluster_id, score, organization, members in CLUSTERS:
        confidence = 0.8 if organization else 0.0
        for account_id, org_id, verified, pathway, exchanges, member in members:
            reason = f"hydra_score {score} in cluster {cluster_id}"
            takedown.append((account_id, cluster_id, score, organization, reason, member))
            clusters.append((account_id, cluster_id, score, "true", organization, confidence))
            accounts.append(
                (account_id, "2026-10-01T00:00:00Z", org_id, verified, pathway, exchanges)
            )
            attributes.append((account_id, "ip", "203.0.113.1", exchanges - 1))
            attributes.append((account_id, "ip", "203.0.113.2", 1))
            attributes.append((account_id, "subnet", "203.0.113.0/24", exchanges))
        campaigns.append(
            {
                "cluster_id": cluster_id,
                "hydra_score": score,
                "flagged": True,
                "still_active": cluster_id != "HC-bbb",
                "accounts": [m[0] for m in members],
            }
        )
    pd.DataFrame(takedown, columns=TAKEDOWN_COLUMNS).to_csv(folder / "takedown.csv", index=False)
    pd.DataFrame(clusters, columns=CLUSTER_COLUMNS).to_csv(folder / "clusters.csv", index=False)
    for name in GRAPH_TABLES:  # the tables a plan does not read stay empty
        pd.DataFrame({"x": []}).to_parquet(folder / "graph" / f"{name}.parquet")
    frame = pd.DataFrame(
        accounts,
        columns=[
            "account_id",
            "created_at",
            "org_id",
            "org_verified",
            "signup_pathway",
            "exchanges",
        ],
    )
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    frame.to_parquet(folder / "graph" / "accounts.parquet", index=False)
    pd.DataFrame(attributes, columns=["account_id", "attr_type", "attr_value", "uses"]).to_parquet(
        folder / "graph" / "account_attributes.parquet", index=False
    )
    (folder / "campaigns.json").write_text(json.dumps(campaigns), encoding="utf-8")
    (folder / "run.json").write_text(
        json.dumps(
            {"started_at": "2026-11-01T00:00:00Z", "settings": {"score": {"flag_threshold": 0.5}}}
        ),
        encoding="utf-8",
    )
    return folder


@pytest.fixture()
def run_dir(tmp_path: Path) -> Path:
    return _write_run_folder(tmp_path / "run")


@pytest.fixture()
def allow_file(tmp_path: Path) -> Path:
    path = tmp_path / "allow.txt"
    path.write_text("# never touch\nb3\norg:Partner Lab\n\n", encoding="utf-8")
    return path


@pytest.fixture()
def manifest_path(run_dir: Path, allow_file: Path) -> Path:
    result = runner.invoke(app, ["takedown", "plan", str(run_dir), "--allow-list", str(allow_file)])
    assert result.exit_code == 0, result.output
    return run_dir / "takedown-plan.json"


def _said(result: Result) -> str:
    """CLI output with rich's line wrapping undone."""
    return " ".join(result.output.split())


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_plan_excludes_allow_list_verified_orgs_and_unsure_members(
    run_dir: Path, allow_file: Path
) -> None:
    manifest = plan_takedown(read_run(run_dir), parse_allow_list(allow_file.read_text()))
    planned = [a["account_id"] for a in manifest["accounts"]]
    # by score, then id; a3 only claimed an org nobody verified: it is planned
    assert planned == ["a1", "a2", "a3", "b1", "b2"]
    assert manifest["accounts"][2]["declared_org_unverified"] == "org_claimed"
    excluded = {e["account_id"]: e["why"] for e in manifest["excluded"]}
    assert set(excluded) == {"a4", "b3", "b4", "c1", "c2"}
    assert "organisation 'org_acme', verified by the provider" in excluded["a4"][0]
    assert "member confidence 0.30 is below 0.50" in excluded["b4"][0]
    assert excluded["b3"] == ["account is on the allow-list"]
    assert "attributed organisation 'Partner Lab' is on the allow-list" in excluded["c1"]
    first = manifest["accounts"][0]
    assert first == {
        "account_id": "a1",
        "cluster_id": "HC-aaa",
        "hydra_score": 0.91,
        "organization": "Kestrel AI",
        "attribution_confidence": 0.8,
        "reason": "hydra_score 0.91 in cluster HC-aaa",
        "action": "suspend",
        "exchanges": 100,
        "signup_pathway": "standard",
        "created_at": "2026-10-01T00:00:00Z",
        "cluster_still_active": True,
        "member_confidence": 0.9,
        "declared_org_unverified": None,
    }


def test_blast_radius(run_dir: Path, allow_file: Path) -> None:
    manifest = plan_takedown(read_run(run_dir), parse_allow_list(allow_file.read_text()))
    assert manifest["blast_radius"] == {
        "accounts": 5,
        "exchanges": 100 + 80 + 60 + 30 + 20,
        "clusters": 2,
        "accounts_per_cluster": {"HC-aaa": 3, "HC-bbb": 2},
        "still_active_accounts": 3,
        "organizations_attributed": {"(not attributed)": 2, "Kestrel AI": 3},
        "declared_orgs_touched": {
            "org_acme": {"accounts_in_flagged_clusters": 1, "excluded": 1},
            "org_claimed": {"accounts_in_flagged_clusters": 1, "excluded": 0},
        },
        "signup_pathways_touched": {"education": 1, "standard": 3, "startup_program": 1},
        "excluded_accounts": 5,
    }


def test_plan_is_deterministic_apart_from_its_time(run_dir: Path) -> None:
    run = read_run(run_dir)
    first = plan_takedown(run, planned_at=datetime(2026, 1, 1, tzinfo=UTC))
    second = plan_takedown(run, planned_at=datetime(2026, 2, 1, tzinfo=UTC))
    assert first["manifest_id"] == second["manifest_id"]
    assert first["manifest_id"].startswith("tdm-")


def test_plan_stops_when_too_large(run_dir: Path) -> None:
    run = read_run(run_dir)
    with pytest.raises(TakedownTooLargeError, match="more than --max-accounts 3"):
        plan_takedown(run, max_accounts=3)
    manifest = plan_takedown(run, max_accounts=3, force_large=True)
    assert manifest["blast_radius"]["accounts"] == 8
    assert manifest["parameters"]["force_large"] is True


def test_cli_plan_too_large_exits_non_zero(run_dir: Path) -> None:
    result = runner.invoke(app, ["takedown", "plan", str(run_dir), "--max-accounts", "2"])
    assert result.exit_code == 1
    assert "--force-large" in _said(result)
    assert not (run_dir / "takedown-plan.json").exists()
    out = run_dir / "big.json"
    result = runner.invoke(
        app,
        [
            "takedown",
            "plan",
            str(run_dir),
            "--max-accounts",
            "2",
            "--force-large",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["blast_radius"]["accounts"] == 8


def test_cli_plan_rejects_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    result = runner.invoke(app, ["takedown", "plan", str(tmp_path)])
    assert result.exit_code == 1
    assert "is not a run folder" in _said(result)


def test_allow_list_parsing() -> None:
    allow = parse_allow_list("  x1 \n#c\norg:Acme Corp # a partner\nORG:other\norg:\n")
    assert allow.accounts == {"x1"}
    assert allow.organizations == {"Acme Corp", "other"}


def test_dry_run_writes_nothing(manifest_path: Path) -> None:
    before = sorted(p.name for p in manifest_path.parent.iterdir())
    result = runner.invoke(app, ["takedown", "apply", str(manifest_path)])
    assert result.exit_code == 0, result.output
    assert "dry run" in _said(result) and "would suspend 5 accounts" in _said(result)
    assert sorted(p.name for p in manifest_path.parent.iterdir()) == before


def test_execute_writes_actions_revert_and_audit(manifest_path: Path, tmp_path: Path) -> None:
    audit = tmp_path / "audit" / "log.jsonl"
    result = runner.invoke(
        app, ["takedown", "apply", str(manifest_path), "--execute", "--audit-log", str(audit)]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads(manifest_path.read_text())
    actions_path = manifest_path.with_name("takedown-plan.actions.csv")
    actions = _read_csv(actions_path)
    assert actions_path.read_text().splitlines()[0] == ",".join(ACTION_COLUMNS)
    assert [a["account_id"] for a in actions] == ["a1", "a2", "a3", "b1", "b2"]
    assert {a["action"] for a in actions} == {"suspend"}
    assert {a["manifest_id"] for a in actions} == {manifest["manifest_id"]}
    assert actions[0]["cluster_id"] == "HC-aaa"
    assert actions[0]["reason"] == "hydra_score 0.91 in cluster HC-aaa"
    reverts = _read_csv(manifest_path.with_name("takedown-plan.revert.csv"))
    assert [(r["account_id"], r["action"]) for r in reverts] == [
        (a["account_id"], "unsuspend") for a in actions
    ]
    records = [json.loads(line) for line in audit.read_text().splitlines()]
    assert [r["account_id"] for r in records] == ["a1", "a2", "a3", "b1", "b2"]
    for record in records:
        assert record["action"] == "suspend"
        assert len(record["manifest_hash"]) == 64
        assert record["ts"].endswith("Z")
        assert record["manifest_id"] == manifest["manifest_id"]


PLANNED = ["a1", "a2", "a3", "b1", "b2"]
"""The accounts the hand-made run's plan suspends (allow-list: b3, org:Partner Lab)."""


def _actions(manifest_path: Path) -> list[tuple[str, str]]:
    rows = _read_csv(manifest_path.with_name("takedown-plan.actions.csv"))
    return [(r["account_id"], r["action"]) for r in rows]


def _reverts(manifest_path: Path) -> list[tuple[str, str]]:
    rows = _read_csv(manifest_path.with_name("takedown-plan.revert.csv"))
    return [(r["account_id"], r["action"]) for r in rows]


def _suspended(*accounts: str) -> list[tuple[str, str]]:
    return [(a, "suspend") for a in accounts]


def test_applying_twice_does_nothing_the_second_time(manifest_path: Path) -> None:
    first = apply_manifest(manifest_path, execute=True)
    assert len(first.pending) == 5
    files = {p: p.read_bytes() for p in manifest_path.parent.iterdir() if p.is_file()}
    second = apply_manifest(manifest_path, execute=True)
    assert second.pending == [] and second.already_done == 5
    assert {p: p.read_bytes() for p in files} == files
    result = runner.invoke(app, ["takedown", "apply", str(manifest_path), "--execute"])
    assert result.exit_code == 0 and "nothing to do" in _said(result)
    assert {p: p.read_bytes() for p in files} == files


def test_applying_again_with_another_audit_log_writes_no_action_twice(
    manifest_path: Path, tmp_path: Path
) -> None:
    for audit in (tmp_path / "first.jsonl", tmp_path / "second.jsonl", None):
        args = ["takedown", "apply", str(manifest_path), "--execute"]
        result = runner.invoke(app, args + (["--audit-log", str(audit)] if audit else []))
        assert result.exit_code == 0, result.output
    assert _actions(manifest_path) == _suspended(*PLANNED)
    assert _reverts(manifest_path) == [(a, "unsuspend") for a in PLANNED]
    assert len((tmp_path / "first.jsonl").read_text().splitlines()) == 5
    assert not (tmp_path / "second.jsonl").exists()  # nothing was left to do


def test_reformatting_the_manifest_keeps_it_the_same_manifest(manifest_path: Path) -> None:
    apply_manifest(manifest_path, execute=True)
    manifest = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
    assert apply_manifest(manifest_path, execute=True).pending == []


def test_an_edited_manifest_only_adds_what_is_new(manifest_path: Path) -> None:
    apply_manifest(manifest_path, execute=True)
    manifest = json.loads(manifest_path.read_text())
    manifest["accounts"] = [a for a in manifest["accounts"] if a["account_id"] != "b2"]
    manifest["accounts"][0]["reason"] = "reworded by the reviewer"
    manifest["accounts"].append({**manifest["accounts"][1], "account_id": "x9"})
    write_manifest(manifest, manifest_path)
    outcome = apply_manifest(manifest_path, execute=True)
    assert [a["account_id"] for a in outcome.pending] == ["x9"]
    assert outcome.already_done == 4
    assert _actions(manifest_path) == _suspended(*PLANNED, "x9")
    # and once more, from a copy of the edited manifest saved under the same name
    assert apply_manifest(manifest_path, execute=True).pending == []
    assert _actions(manifest_path) == _suspended(*PLANNED, "x9")


def test_a_reviewed_manifest_applies_what_is_left(manifest_path: Path) -> None:
    manifest = json.loads(manifest_path.read_text())
    manifest["accounts"] = [a for a in manifest["accounts"] if a["account_id"] != "b2"]
    write_manifest(manifest, manifest_path)
    outcome = apply_manifest(manifest_path, execute=True)
    assert [a["account_id"] for a in outcome.pending] == ["a1", "a2", "a3", "b1"]
    assert _actions(manifest_path) == _suspended("a1", "a2", "a3", "b1")


class SimulatedCrashError(Exception):
    """Stands for the process dying at a given point of an apply."""


def _crash_after(monkeypatch: pytest.MonkeyPatch, target: object, name: str) -> None:
    """Let ``target.name`` run once, then die."""
    original = getattr(target, name)

    def run_then_die(*args: object, **kwargs: object) -> None:
        original(*args, **kwargs)
        raise SimulatedCrashError(name)

    monkeypatch.setattr(target, name, run_then_die)


def _crash_before(monkeypatch: pytest.MonkeyPatch, target: object, name: str) -> None:
    def die(*args: object, **kwargs: object) -> None:
        raise SimulatedCrashError(name)

    monkeypatch.setattr(target, name, die)


@pytest.mark.parametrize(
    "crash",
    [
        "after the intent, before any row",
        "after the action rows, before the reverts",
        "after the rows, before the audit records",
        "after the audit records, before done",
    ],
)
def test_an_interrupted_apply_is_completed_without_duplicates(
    manifest_path: Path, monkeypatch: pytest.MonkeyPatch, crash: str
) -> None:
    from linkage.deliver import action_log, takedown

    with monkeypatch.context() as patch:
        if crash == "after the intent, before any row":
            _crash_after(patch, action_log.ActionLog, "begin")
        elif crash == "after the action rows, before the reverts":
            original = action_log.ActionLog._append_missing

            def actions_then_die(self, path, rows):  # type: ignore[no-untyped-def]
                original(self, path, rows)
                if path == self.actions_csv:
                    raise SimulatedCrashError(crash)

            patch.setattr(action_log.ActionLog, "_append_missing", actions_then_die)
        elif crash == "after the rows, before the audit records":
            _crash_after(patch, action_log.ActionLog, "write")
        else:
            _crash_before(patch, action_log.ActionLog, "finish")
        with pytest.raises(SimulatedCrashError):
            apply_manifest(manifest_path, execute=True)
    assert takedown.ActionLog is action_log.ActionLog

    dry = apply_manifest(manifest_path, execute=False)
    assert dry.pending == [] and dry.interrupted == 5
    retry = apply_manifest(manifest_path, execute=True)
    assert retry.completed_interrupted == 5 and retry.pending == []
    assert _actions(manifest_path) == _suspended(*PLANNED)
    assert _reverts(manifest_path) == [(a, "unsuspend") for a in PLANNED]
    audit = manifest_path.with_name("takedown-audit.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["account_id"] for line in audit) == PLANNED
    journal = manifest_path.with_name("takedown-plan.journal.jsonl").read_text().splitlines()
    assert [json.loads(line)["event"] for line in journal] == ["intent", "done"]
    assert apply_manifest(manifest_path, execute=True).pending == []
    assert _actions(manifest_path) == _suspended(*PLANNED)


def test_a_half_written_row_is_cut_and_written_again_once(manifest_path: Path) -> None:
    apply_manifest(manifest_path, execute=True)
    actions = manifest_path.with_name("takedown-plan.actions.csv")
    text = actions.read_text()
    actions.write_text(text[: text.rindex("b2") + 1], encoding="utf-8")  # "...\nb": torn
    journal = manifest_path.with_name("takedown-plan.journal.jsonl")
    lines = journal.read_text().splitlines(keepends=True)
    journal.write_text(lines[0], encoding="utf-8")  # the intent, without its done
    apply_manifest(manifest_path, execute=True)
    assert _actions(manifest_path) == _suspended(*PLANNED)


def test_a_damaged_journal_stops_apply(manifest_path: Path) -> None:
    apply_manifest(manifest_path, execute=True)
    journal = manifest_path.with_name("takedown-plan.journal.jsonl")
    journal.write_text("{not json\n" + journal.read_text(), encoding="utf-8")
    with pytest.raises(LinkageError, match="line 1 is not JSON"):
        apply_manifest(manifest_path, execute=True)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda m: m["accounts"].append(dict(m["accounts"][0])), "listed twice"),
        (lambda m: m["accounts"].append({**m["accounts"][0], "account_id": "a4"}), "both planned"),
        (lambda m: m["accounts"][0].update(action="delete"), "unknown action"),
        (lambda m: m["parameters"].update(max_accounts=2), "more than the plan's max_accounts"),
        (lambda m: m.update(manifest_version=99), "not a takedown manifest"),
    ],
)
def test_bad_manifests_are_refused(manifest_path: Path, edit, message: str) -> None:
    manifest = json.loads(manifest_path.read_text())
    edit(manifest)
    write_manifest(manifest, manifest_path)
    with pytest.raises(TakedownError, match=message):
        apply_manifest(manifest_path, execute=True)
    result = runner.invoke(app, ["takedown", "apply", str(manifest_path), "--execute"])
    assert result.exit_code == 1
    assert not manifest_path.with_name("takedown-plan.actions.csv").exists()


def test_a_damaged_audit_log_stops_apply(manifest_path: Path) -> None:
    audit = manifest_path.with_name("takedown-audit.jsonl")
    audit.write_text('{"account_id": "a1"\n', encoding="utf-8")
    with pytest.raises(TakedownError, match="line 1 is not JSON"):
        apply_manifest(manifest_path, execute=True)
