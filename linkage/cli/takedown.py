"""`linkage takedown plan|apply`: a reviewed takedown with an audit trail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from linkage.cli.common import out
from linkage.errors import LinkageError

app = typer.Typer(
    help=(
        "Plan a takedown of a run's flagged accounts for review, then apply it with an "
        "audit trail.\n\n"
        "  linkage takedown plan out/demo   # writes out/demo/takedown-plan.json\n\n"
        "  linkage takedown apply out/demo/takedown-plan.json   # dry run\n\n"
        "  linkage takedown apply out/demo/takedown-plan.json --execute\n\n"
        "An allow-list (--allow-list FILE: one account_id or org:ORG per line) keeps "
        "accounts out of the plan."
    ),
    no_args_is_help=True,
)


@app.command("plan")
def takedown_plan(
    run_dir: Annotated[
        Path, typer.Argument(metavar="RUN_DIR", help="Run folder written by `linkage run`.")
    ],
    allow_list: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="File with one account_id or org:ORG per line, never to be touched.",
        ),
    ] = None,
    max_accounts: Annotated[
        int, typer.Option(metavar="N", help="Stop (exit 1) when the plan is larger than this.")
    ] = 1000,
    force_large: Annotated[
        bool, typer.Option("--force-large", help="Allow a plan larger than --max-accounts.")
    ] = False,
    min_confidence: Annotated[
        float,
        typer.Option(
            metavar="X",
            help="Leave out (for review by hand) members whose member_confidence is below X.",
        ),
    ] = 0.5,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="Manifest to write (default RUN_DIR/takedown-plan.json).",
        ),
    ] = None,
) -> None:
    """Write a takedown manifest to review: accounts with evidence, exclusions, blast radius.

    Accounts on the allow-list, accounts of organisations the provider verified
    (org_verified) and members the engine is unsure of (member_confidence below
    --min-confidence) are never included; the manifest lists them with why. A
    declared but unverified org_id is only a claim: those accounts are planned.

    Example: linkage takedown plan out/demo --allow-list allow.txt
    """
    from linkage.deliver import takedown
    from linkage.io.run_folder import read_run

    path = out_file or run_dir / "takedown-plan.json"
    if path.is_dir():
        raise LinkageError(f"--out {path} is a folder; name the manifest file to write")
    allowed = takedown.read_allow_list(allow_list) if allow_list else None
    manifest = takedown.plan_takedown(
        read_run(run_dir), allowed, max_accounts, force_large, min_confidence=min_confidence
    )
    takedown.write_manifest(manifest, path)
    blast = manifest["blast_radius"]
    out.print(
        f"manifest {manifest['manifest_id']}: suspend {blast['accounts']:,} accounts "
        f"({blast['exchanges']:,} exchanges) in {blast['clusters']} clusters; "
        f"{blast['excluded_accounts']:,} excluded"
    )
    for name in ("organizations_attributed", "signup_pathways_touched", "declared_orgs_touched"):
        if blast[name]:
            out.print(f"  {name}: {json.dumps(blast[name], ensure_ascii=False)}", highlight=False)
    out.print(
        f"written to {path}; review it (remove any account you are not sure of), then "
        f"`linkage takedown apply {path}`",
        highlight=False,
    )


@app.command("apply")
def takedown_apply(
    manifest: Annotated[
        Path,
        typer.Argument(metavar="MANIFEST", help="Manifest written by `takedown plan`."),
    ],
    execute: Annotated[
        bool, typer.Option("--execute", help="Act; without it this is a dry run.")
    ] = False,
    audit_log: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Append-only JSONL audit log (default: takedown-audit.jsonl beside it).",
        ),
    ] = None,
) -> None:
    """Apply a reviewed manifest: a dry run unless --execute; never writes an action twice.

    With --execute, appends to NAME.actions.csv (for the enforcement system) and
    NAME.revert.csv (the inverse actions) beside the manifest NAME.json, and records
    every action in the audit log. NAME.actions.csv is the applied state: an account
    already in it is skipped, whichever audit log is named and however the manifest
    was edited since; an interrupted apply is completed, without duplicates, by the
    next one (write-ahead journal NAME.journal.jsonl).

    Example: linkage takedown apply out/demo/takedown-plan.json --execute
    """
    from linkage.deliver import takedown

    outcome = takedown.apply_manifest(manifest, execute=execute, audit_log=audit_log)
    pending = len(outcome.pending)
    done = f"{outcome.already_done:,} already applied (in {outcome.actions_csv})"
    if not execute:
        resume = (
            f"; {outcome.interrupted:,} action(s) of an interrupted apply will be completed"
            if outcome.interrupted
            else ""
        )
        out.print(
            f"dry run of {outcome.manifest_id}: would suspend {pending:,} accounts; "
            f"{done}{resume}. Pass --execute to act.",
            highlight=False,
        )
        return
    if outcome.completed_interrupted:
        out.print(
            f"completed an interrupted apply ({outcome.completed_interrupted:,} action(s), "
            "none written twice)",
            highlight=False,
        )
    if not pending:
        out.print(f"nothing to do for {outcome.manifest_id}: {done}", highlight=False)
    else:
        out.print(
            f"{outcome.manifest_id}: {pending:,} actions written to {outcome.actions_csv} "
            f"(revert: {outcome.revert_csv}) and recorded in {outcome.audit_log}",
            highlight=False,
        )
