"""Takedown: turn a run's flagged accounts into a reviewed plan, then apply it with an audit trail.

Two steps, a person in between:

1. **plan** (:func:`plan_takedown`, pure): from a run folder's ``takedown.csv``
   (plus ``campaigns.json`` and ``graph/``), a manifest that lists every
   account to suspend with its evidence (cluster, hydra_score, reason,
   organisation) and the plan's blast radius (accounts, exchanges, clusters,
   attributed organisations, declared organisations and sign-up pathways
   touched). It never includes

   * accounts on the allow-list (a file with one ``account_id`` or
     ``org:ORG`` per line; ``org:ORG`` covers accounts whose declared
     ``org_id`` is ORG and clusters attributed to organisation ORG), nor
   * accounts of a declared organisation (an ``org_id`` at sign-up): a known
     team is a customer relationship, not a hydra head; that needs a person.

   Excluded accounts are listed with why. A plan larger than
   ``max_accounts`` stops with :class:`TakedownTooLargeError` unless
   ``force_large``.

2. **apply** (:func:`apply_manifest`): a dry run unless ``execute``. With
   ``execute``, the new actions are appended to an action list CSV an
   enforcement system consumes (``account_id,action,cluster_id,reason,manifest_id``)
   and to a revert CSV with the inverse actions, then recorded one line per
   action in an append-only JSONL audit log. An action already in the audit
   log for the same manifest (same content hash) is not taken again, so
   applying a manifest twice does nothing the second time, and a run that
   stopped half-way finishes the rest.
"""

from __future__ import annotations

import csv
import getpass
import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from linkage.errors import LinkageError
from linkage.formats import iso_utc, text_or_none
from linkage.run_model import Run

MANIFEST_VERSION = 1
ACTION = "suspend"
REVERT_ACTION = {"suspend": "unsuspend"}
ACTION_COLUMNS = ["account_id", "action", "cluster_id", "reason", "manifest_id"]
DEFAULT_MAX_ACCOUNTS = 1000
AUDIT_LOG_NAME = "takedown-audit.jsonl"


class TakedownError(LinkageError):
    """A takedown plan or manifest cannot be made or applied as asked."""


class TakedownTooLargeError(TakedownError):
    """The plan would suspend more accounts than allowed without ``--force-large``."""


@dataclass
class AllowList:
    """Accounts and organisations that a takedown must never touch."""

    accounts: set[str] = field(default_factory=set)
    organizations: set[str] = field(default_factory=set)


@dataclass
class ApplyOutcome:
    """What :func:`apply_manifest` did, or would do in a dry run."""

    manifest_id: str
    manifest_hash: str
    executed: bool
    pending: list[dict[str, Any]]
    """Actions not yet in the audit log (taken now when ``executed``)."""
    already_done: int
    audit_log: Path
    actions_csv: Path
    revert_csv: Path


def parse_allow_list(text: str) -> AllowList:
    """Parse an allow-list: one ``account_id`` or ``org:ORG`` per line; ``#`` starts a comment.

    Examples
    --------
    >>> allow = parse_allow_list("acc_1\\n# partners\\norg:Partner Lab  \\n\\nacc_2 # vip")
    >>> sorted(allow.accounts), sorted(allow.organizations)
    (['acc_1', 'acc_2'], ['Partner Lab'])
    """
    allow = AllowList()
    for line in text.splitlines():
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        if entry.lower().startswith("org:"):
            organization = entry[4:].strip()
            if organization:
                allow.organizations.add(organization)
        else:
            allow.accounts.add(entry)
    return allow


def read_allow_list(path: Path) -> AllowList:
    """Read an allow-list file (see :func:`parse_allow_list`)."""
    if not path.is_file():
        raise TakedownError(f"allow-list {path} not found")
    return parse_allow_list(path.read_text(encoding="utf-8"))


def canonical_hash(payload: Any) -> str:
    """SHA-256 of the canonical JSON of ``payload`` (key order and spacing do not matter).

    Examples
    --------
    >>> canonical_hash({"b": 1, "a": [1, 2]}) == canonical_hash({"a": [1, 2], "b": 1})
    True
    """
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plan_takedown(
    run: Run,
    allow_list: AllowList | None = None,
    max_accounts: int = DEFAULT_MAX_ACCOUNTS,
    force_large: bool = False,
    planned_at: datetime | None = None,
) -> dict[str, Any]:
    """The takedown manifest of a run: accounts to suspend, exclusions, blast radius.

    Raises :class:`TakedownTooLargeError` when more than ``max_accounts``
    accounts would be suspended and ``force_large`` is not set.
    """
    allow = allow_list or AllowList()
    campaigns = {c["cluster_id"]: c for c in run.campaigns}
    confidence = run.clusters[["account_id", "attribution_confidence"]]
    accounts = run.accounts.reindex(
        columns=["account_id", "org_id", "signup_pathway", "created_at", "exchanges"]
    )
    flagged = run.takedown.merge(confidence, on="account_id", how="left")
    flagged = flagged.merge(accounts, on="account_id", how="left")
    flagged = flagged.sort_values(
        ["hydra_score", "cluster_id", "account_id"], ascending=[False, True, True]
    )

    planned: list[dict[str, Any]] = []
    excluded: list[dict[str, Any]] = []
    for row in flagged.to_dict("records"):
        account_id = str(row["account_id"])
        org_id = text_or_none(row.get("org_id"))
        organization = text_or_none(row.get("organization"))
        why: list[str] = []
        if account_id in allow.accounts:
            why.append("account is on the allow-list")
        if org_id is not None and org_id in allow.organizations:
            why.append(f"declared organisation {org_id!r} is on the allow-list")
        if organization is not None and organization in allow.organizations:
            why.append(f"attributed organisation {organization!r} is on the allow-list")
        if org_id is not None:
            why.append(
                f"account belongs to declared organisation {org_id!r} (a known team: "
                "handle with the customer, not by bulk takedown)"
            )
        cluster_id = str(row["cluster_id"])
        campaign = campaigns.get(cluster_id, {})
        entry = {
            "account_id": account_id,
            "cluster_id": cluster_id,
            "hydra_score": float(row["hydra_score"]),
            "organization": organization,
            "attribution_confidence": float(row.get("attribution_confidence") or 0.0),
            "reason": str(row["reason"]),
        }
        if why:
            excluded.append({**entry, "org_id": org_id, "why": why})
            continue
        planned.append(
            {
                **entry,
                "action": ACTION,
                "exchanges": int(row.get("exchanges") or 0),
                "signup_pathway": text_or_none(row.get("signup_pathway")),
                "created_at": iso_utc(row.get("created_at")),
                "cluster_still_active": bool(campaign.get("still_active", False)),
            }
        )

    blast = _blast_radius(planned, excluded)
    parameters = {
        "max_accounts": max_accounts,
        "force_large": force_large,
        "allow_list_accounts": len(allow.accounts),
        "allow_list_organizations": sorted(allow.organizations),
    }
    if len(planned) > max_accounts and not force_large:
        raise TakedownTooLargeError(
            f"the plan would suspend {len(planned):,} accounts ({blast['exchanges']:,} "
            f"exchanges, {blast['clusters']} clusters), more than --max-accounts "
            f"{max_accounts:,}; check the run, raise --max-accounts, or pass --force-large"
        )
    source = {
        "run_dir": str(run.path or ""),
        "run_started_at": run.info.get("started_at"),
        "engine_version": run.info.get("engine_version"),
        "flag_threshold": run.setting("score", "flag_threshold"),
    }
    manifest_id = "tdm-" + canonical_hash({"source": source, "accounts": planned})[:16]
    stamp = (planned_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "manifest_version": MANIFEST_VERSION,
        "manifest_id": manifest_id,
        "planned_at": stamp,
        "source": source,
        "parameters": parameters,
        "review": (
            "Read every account and the blast radius before acting; remove any account you "
            "are not sure of. Then: linkage takedown apply MANIFEST (dry run), and with "
            "--execute to act."
        ),
        "blast_radius": blast,
        "accounts": planned,
        "excluded": excluded,
    }


def _blast_radius(planned: list[dict[str, Any]], excluded: list[dict[str, Any]]) -> dict[str, Any]:
    clusters = Counter(a["cluster_id"] for a in planned)
    organizations = Counter(a["organization"] or "(not attributed)" for a in planned)
    pathways = Counter(a["signup_pathway"] or "(unknown)" for a in planned)
    declared = Counter(a["org_id"] for a in excluded if a.get("org_id"))
    return {
        "accounts": len(planned),
        "exchanges": sum(a["exchanges"] for a in planned),
        "clusters": len(clusters),
        "accounts_per_cluster": dict(sorted(clusters.items())),
        "still_active_accounts": sum(1 for a in planned if a["cluster_still_active"]),
        "organizations_attributed": dict(sorted(organizations.items())),
        "declared_orgs_touched": {
            org: {"accounts_in_flagged_clusters": n, "excluded": n}
            for org, n in sorted(declared.items())
        },
        "signup_pathways_touched": dict(sorted(pathways.items())),
        "excluded_accounts": len(excluded),
    }


def write_manifest(manifest: dict[str, Any], path: Path) -> Path:
    """Write a manifest as JSON (I/O edge)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_manifest(path: Path) -> tuple[dict[str, Any], str]:
    """Read and check a manifest; return it and its content hash."""
    if not path.is_file():
        raise TakedownError(f"manifest {path} not found")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise TakedownError(f"manifest {path} is not valid JSON: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("manifest_version") != MANIFEST_VERSION:
        raise TakedownError(
            f"{path} is not a takedown manifest (version {MANIFEST_VERSION}); "
            "make one with `linkage takedown plan`"
        )
    accounts = manifest.get("accounts")
    if not isinstance(accounts, list):
        raise TakedownError(f"manifest {path} has no 'accounts' list")
    problems = []
    seen: set[str] = set()
    for position, entry in enumerate(accounts, start=1):
        if not isinstance(entry, dict) or not entry.get("account_id"):
            problems.append(f"account entry {position} has no account_id")
            continue
        if entry.get("action", ACTION) not in REVERT_ACTION:
            problems.append(f"account {entry['account_id']}: unknown action {entry['action']!r}")
        if entry["account_id"] in seen:
            problems.append(f"account {entry['account_id']} is listed twice")
        seen.add(entry["account_id"])
    excluded = {e.get("account_id") for e in manifest.get("excluded", []) if isinstance(e, dict)}
    for account_id in sorted(seen & excluded):
        problems.append(f"account {account_id} is both planned and excluded")
    parameters = manifest.get("parameters", {})
    limit = parameters.get("max_accounts", DEFAULT_MAX_ACCOUNTS)
    if len(accounts) > limit and not parameters.get("force_large"):
        problems.append(f"{len(accounts)} accounts is more than the plan's max_accounts {limit}")
    if problems:
        raise TakedownError(f"manifest {path} cannot be applied: " + "; ".join(problems))
    return manifest, canonical_hash(manifest)


def read_audit_log(path: Path) -> list[dict[str, Any]]:
    """Every action recorded in an audit log (empty if it does not exist yet)."""
    if not path.is_file():
        return []
    records = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise TakedownError(
                    f"audit log {path} line {number} is not JSON; it must not be edited by hand"
                ) from None
            records.append(record)
    return records


def apply_manifest(
    manifest_path: Path,
    execute: bool = False,
    audit_log: Path | None = None,
    actions_csv: Path | None = None,
    revert_csv: Path | None = None,
    operator: str | None = None,
    now: datetime | None = None,
) -> ApplyOutcome:
    """Apply a manifest: a dry run unless ``execute``; idempotent through the audit log.

    Defaults, next to the manifest: ``takedown-audit.jsonl``,
    ``<manifest>.actions.csv`` and ``<manifest>.revert.csv``.
    """
    manifest, manifest_hash = read_manifest(manifest_path)
    folder = manifest_path.parent
    stem = manifest_path.stem
    audit_log = audit_log or folder / AUDIT_LOG_NAME
    actions_csv = actions_csv or folder / f"{stem}.actions.csv"
    revert_csv = revert_csv or folder / f"{stem}.revert.csv"
    manifest_id = str(manifest.get("manifest_id") or manifest_hash[:16])

    done = {
        (r.get("manifest_hash"), r.get("account_id"), r.get("action"))
        for r in read_audit_log(audit_log)
    }
    pending = []
    for entry in manifest["accounts"]:
        action = entry.get("action", ACTION)
        if (manifest_hash, entry["account_id"], action) in done:
            continue
        pending.append(
            {
                "account_id": str(entry["account_id"]),
                "action": action,
                "cluster_id": str(entry.get("cluster_id", "")),
                "reason": str(entry.get("reason", "")),
                "manifest_id": manifest_id,
            }
        )
    outcome = ApplyOutcome(
        manifest_id=manifest_id,
        manifest_hash=manifest_hash,
        executed=execute,
        pending=pending,
        already_done=len(manifest["accounts"]) - len(pending),
        audit_log=audit_log,
        actions_csv=actions_csv,
        revert_csv=revert_csv,
    )
    if not execute or not pending:
        return outcome

    reverts = [
        {
            **action,
            "action": REVERT_ACTION[action["action"]],
            "reason": f"revert of takedown manifest {manifest_id} ({action['action']})",
        }
        for action in pending
    ]
    _append_csv(actions_csv, pending)
    _append_csv(revert_csv, reverts)
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    who = operator or _operator()
    audit_log.parent.mkdir(parents=True, exist_ok=True)
    with audit_log.open("a", encoding="utf-8") as handle:
        for action in pending:
            record = {
                "ts": stamp,
                "manifest_hash": manifest_hash,
                "manifest_id": manifest_id,
                "account_id": action["account_id"],
                "action": action["action"],
                "cluster_id": action["cluster_id"],
                "operator": who,
                "manifest": str(manifest_path),
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return outcome


def _append_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.is_file() or path.stat().st_size == 0
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ACTION_COLUMNS, lineterminator="\n")
        if new:
            writer.writeheader()
        writer.writerows(rows)
        handle.flush()
        os.fsync(handle.fileno())


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
