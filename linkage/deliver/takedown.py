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
   * accounts of an organisation the provider has *verified* (``org_verified``):
     a known customer is a relationship, not a hydra head; that needs a person.
     A declared but unverified ``org_id`` is only a claim the account made: such
     accounts are planned like any other, and the manifest says what they claimed;
   * accounts the engine is not sure belong to their campaign
     (``member_confidence`` below ``min_confidence``): a person decides those.

   Excluded accounts are listed with why. A plan larger than
   ``max_accounts`` stops with :class:`TakedownTooLargeError` unless
   ``force_large``.

2. **apply** (:func:`apply_manifest`): a dry run unless ``execute``. With
   ``execute``, the new actions are appended to the manifest's actions file, which an
   enforcement system consumes (``account_id,action,cluster_id,reason,manifest_id``),
   and to a revert file with the inverse actions, then recorded one line per action
   in an append-only JSONL audit log. The applied state is the actions file itself
   (:mod:`linkage.deliver.action_log`): an (account, action) already in it is never
   written again, so applying a manifest twice does nothing the second time, whichever
   audit log is named, and a manifest edited by its reviewers (accounts removed,
   reasons reworded) only adds what is new. Intents are journaled before the rows are
   written, so an apply that stopped half-way is completed, without duplicates, by
   the next one.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from linkage.deliver.action_log import ACTION_COLUMNS as ACTION_COLUMNS
from linkage.deliver.action_log import REVERT_ACTION, ActionLog
from linkage.errors import LinkageError
from linkage.formats import iso_utc, text_or_none
from linkage.run_model import Run

MANIFEST_VERSION = 1
ACTION = "suspend"
DEFAULT_MAX_ACCOUNTS = 1000
DEFAULT_MIN_CONFIDENCE = 0.5
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
    """Actions not yet in the actions file (written now when ``executed``)."""
    already_done: int
    """The manifest's actions already in the actions file (or in an interrupted batch)."""
    audit_log: Path
    actions_csv: Path
    revert_csv: Path
    journal: Path
    interrupted: int = 0
    """Dry run: actions of interrupted applies that ``--execute`` will complete first."""
    completed_interrupted: int = 0
    """Executed: actions of interrupted applies completed before the new ones."""


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
        raise TakedownError(
            f"allow-list {path} not found: write one account_id or org:ORG per line "
            "(# for comments), or leave out --allow-list"
        )
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
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> dict[str, Any]:
    """The takedown manifest of a run: accounts to suspend, exclusions, blast radius.

    Raises :class:`TakedownTooLargeError` when more than ``max_accounts``
    accounts would be suspended and ``force_large`` is not set.
    """
    allow = allow_list or AllowList()
    planned, excluded = _split_flagged(run, allow, min_confidence)
    blast = _blast_radius(planned, excluded)
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
    stamp = (planned_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "manifest_version": MANIFEST_VERSION,
        "manifest_id": "tdm-" + canonical_hash({"source": source, "accounts": planned})[:16],
        "planned_at": stamp,
        "source": source,
        "parameters": {
            "max_accounts": max_accounts,
            "force_large": force_large,
            "min_confidence": min_confidence,
            "allow_list_accounts": len(allow.accounts),
            "allow_list_organizations": sorted(allow.organizations),
        },
        "review": (
            "Read every account and the blast radius before acting; remove any account you "
            "are not sure of. Then: linkage takedown apply MANIFEST (dry run), and with "
            "--execute to act."
        ),
        "blast_radius": blast,
        "accounts": planned,
        "excluded": excluded,
    }


def _flagged_accounts(run: Run) -> pd.DataFrame:
    """takedown.csv with each account's attribution confidence and sign-up facts, ranked."""
    confidence = run.clusters[["account_id", "attribution_confidence"]]
    accounts = run.accounts.reindex(
        columns=[
            "account_id",
            "org_id",
            "org_verified",
            "signup_pathway",
            "created_at",
            "exchanges",
        ]
    )
    flagged = run.takedown.merge(confidence, on="account_id", how="left")
    flagged = flagged.merge(accounts, on="account_id", how="left")
    return flagged.sort_values(
        ["hydra_score", "cluster_id", "account_id"], ascending=[False, True, True]
    )


def _exclusions(row: dict[str, Any], allow: AllowList, min_confidence: float) -> list[str]:
    """Why an account must not be in the plan (empty: it may be)."""
    org_id = text_or_none(row.get("org_id"))
    organization = text_or_none(row.get("organization"))
    why: list[str] = []
    if str(row["account_id"]) in allow.accounts:
        why.append("account is on the allow-list")
    if org_id is not None and org_id in allow.organizations:
        why.append(f"declared organisation {org_id!r} is on the allow-list")
    if organization is not None and organization in allow.organizations:
        why.append(f"attributed organisation {organization!r} is on the allow-list")
    if org_id is not None and _true(row.get("org_verified")):
        why.append(
            f"account belongs to organisation {org_id!r}, verified by the provider (a known "
            "customer: handle with the customer, not by bulk takedown)"
        )
    confidence = row.get("member_confidence")
    if confidence is not None and not pd.isna(confidence) and confidence < min_confidence:
        why.append(
            f"member confidence {float(confidence):.2f} is below {min_confidence:.2f}: not "
            "sure it belongs to the campaign; review by hand"
        )
    return why


def _true(value: Any) -> bool:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return False
    return str(value).strip().lower() in ("true", "1", "yes")


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    """What the manifest says of one flagged account, planned or excluded."""
    entry = {
        "account_id": str(row["account_id"]),
        "cluster_id": str(row["cluster_id"]),
        "hydra_score": float(row["hydra_score"]),
        "organization": text_or_none(row.get("organization")),
        "attribution_confidence": float(row.get("attribution_confidence") or 0.0),
        "reason": str(row["reason"]),
    }
    member_confidence = row.get("member_confidence")
    if member_confidence is not None and not pd.isna(member_confidence):
        entry["member_confidence"] = float(member_confidence)
    return entry


def _split_flagged(
    run: Run, allow: AllowList, min_confidence: float = 0.0
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The flagged accounts as (planned suspensions, excluded accounts with why)."""
    campaigns = {c["cluster_id"]: c for c in run.campaigns}
    planned: list[dict[str, Any]] = []
    excluded: list[dict[str, Any]] = []
    for row in _flagged_accounts(run).to_dict("records"):
        entry = _entry(row)
        why = _exclusions(row, allow, min_confidence)
        if why:
            excluded.append({**entry, "org_id": text_or_none(row.get("org_id")), "why": why})
            continue
        campaign = campaigns.get(entry["cluster_id"], {})
        planned.append(
            {
                **entry,
                "action": ACTION,
                "exchanges": int(row.get("exchanges") or 0),
                "signup_pathway": text_or_none(row.get("signup_pathway")),
                "created_at": iso_utc(row.get("created_at")),
                "cluster_still_active": bool(campaign.get("still_active", False)),
                "declared_org_unverified": text_or_none(row.get("org_id")),
            }
        )
    return planned, excluded


def _blast_radius(planned: list[dict[str, Any]], excluded: list[dict[str, Any]]) -> dict[str, Any]:
    clusters = Counter(a["cluster_id"] for a in planned)
    organizations = Counter(a["organization"] or "(not attributed)" for a in planned)
    pathways = Counter(a["signup_pathway"] or "(unknown)" for a in planned)
    excluded_orgs = Counter(a["org_id"] for a in excluded if a.get("org_id"))
    planned_orgs = Counter(
        a["declared_org_unverified"] for a in planned if a.get("declared_org_unverified")
    )
    declared = excluded_orgs + planned_orgs
    return {
        "accounts": len(planned),
        "exchanges": sum(a["exchanges"] for a in planned),
        "clusters": len(clusters),
        "accounts_per_cluster": dict(sorted(clusters.items())),
        "still_active_accounts": sum(1 for a in planned if a["cluster_still_active"]),
        "organizations_attributed": dict(sorted(organizations.items())),
        "declared_orgs_touched": {
            org: {"accounts_in_flagged_clusters": n, "excluded": excluded_orgs.get(org, 0)}
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
    """Every record of an audit log (empty if it does not exist yet)."""
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
    """Apply a manifest: a dry run unless ``execute``; never writes an action twice.

    Defaults, next to the manifest ``NAME.json``: ``takedown-audit.jsonl``,
    ``NAME.actions.csv``, ``NAME.revert.csv`` and the journal ``NAME.journal.jsonl``
    (see :mod:`linkage.deliver.action_log`). An account whose action is already in the
    actions file is skipped, whatever audit log is named and however the manifest was
    edited; an apply that was interrupted is completed first.
    """
    manifest, manifest_hash = read_manifest(manifest_path)
    folder, stem = manifest_path.parent, manifest_path.stem
    log = ActionLog(
        actions_csv or folder / f"{stem}.actions.csv",
        revert_csv or folder / f"{stem}.revert.csv",
        folder / f"{stem}.journal.jsonl",
    )
    audit = _Audit(
        path=audit_log or folder / AUDIT_LOG_NAME,
        operator=operator or _operator(),
        stamp=(now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        manifest_path=manifest_path,
    )
    manifest_id = str(manifest.get("manifest_id") or manifest_hash[:16])
    if not execute:
        in_flight = [a for i in log.unfinished() for a in i.actions]
        return _outcome(manifest, manifest_hash, manifest_id, log, audit, in_flight, False)
    with log.locked():
        completed = _complete_interrupted(log, audit)
        outcome = _outcome(manifest, manifest_hash, manifest_id, log, audit, [], True)
        outcome.completed_interrupted = completed
        if outcome.pending:
            batch = f"{manifest_id}-{uuid.uuid4().hex[:12]}"
            meta = {
                "ts": audit.stamp,
                "manifest_hash": manifest_hash,
                "manifest_id": manifest_id,
                "manifest": str(manifest_path),
                "operator": audit.operator,
            }
            log.begin(batch, outcome.pending, meta)
            _write_batch(log, audit, batch, outcome.pending, meta)
    return outcome


@dataclass
class _Audit:
    """Where and as whom the audit records of one apply are written."""

    path: Path
    operator: str
    stamp: str
    manifest_path: Path


def _pending_actions(
    manifest: dict[str, Any], manifest_id: str, taken: set[tuple[str, str]]
) -> list[dict[str, str]]:
    """The manifest's actions that are not in the actions file yet."""
    pending = []
    for entry in manifest["accounts"]:
        action = str(entry.get("action", ACTION))
        if (str(entry["account_id"]), action) in taken:
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
    return pending


def _outcome(
    manifest: dict[str, Any],
    manifest_hash: str,
    manifest_id: str,
    log: ActionLog,
    audit: _Audit,
    in_flight: list[dict[str, str]],
    executed: bool,
) -> ApplyOutcome:
    """What an apply does (or would do): the manifest's actions not yet taken."""
    taken = log.taken() | {(a["account_id"], a["action"]) for a in in_flight}
    pending = _pending_actions(manifest, manifest_id, taken)
    return ApplyOutcome(
        manifest_id=manifest_id,
        manifest_hash=manifest_hash,
        executed=executed,
        pending=pending,
        already_done=len(manifest["accounts"]) - len(pending),
        audit_log=audit.path,
        actions_csv=log.actions_csv,
        revert_csv=log.revert_csv,
        journal=log.journal,
        interrupted=len(in_flight),
    )


def _write_batch(
    log: ActionLog,
    audit: _Audit,
    batch: str,
    actions: list[dict[str, str]],
    meta: dict[str, Any],
) -> None:
    """After the intent: the rows, the audit records, then ``done``."""
    log.write(actions, str(meta["manifest_id"]))
    recorded = {r.get("account_id") for r in read_audit_log(audit.path) if r.get("batch") == batch}
    lines = [
        json.dumps(
            {
                "ts": audit.stamp,
                "manifest_hash": meta["manifest_hash"],
                "manifest_id": meta["manifest_id"],
                "batch": batch,
                "account_id": action["account_id"],
                "action": action["action"],
                "cluster_id": action["cluster_id"],
                "operator": audit.operator,
                "manifest": str(audit.manifest_path),
            },
            ensure_ascii=False,
        )
        + "\n"
        for action in actions
        if action["account_id"] not in recorded
    ]
    if lines:
        audit.path.parent.mkdir(parents=True, exist_ok=True)
        with audit.path.open("a", encoding="utf-8") as handle:
            handle.write("".join(lines))
            handle.flush()
            os.fsync(handle.fileno())
    log.finish(batch, audit.stamp)


def _complete_interrupted(log: ActionLog, audit: _Audit) -> int:
    """Finish every batch whose intent has no ``done``; return how many actions it held."""
    completed = 0
    for intent in log.unfinished():
        meta = {key: intent.record.get(key) for key in ("manifest_hash", "manifest_id")}
        meta["manifest_id"] = meta["manifest_id"] or ""
        _write_batch(log, audit, intent.batch, intent.actions, meta)
        completed += len(intent.actions)
    return completed


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
