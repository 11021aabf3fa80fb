"""`linkage takedown plan|apply`: a reviewed takedown with an audit trail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from linkage.cli.common import fail, out
from linkage.errors import LinkageError

app = typer.Typer(
    help=(
        "Plan a takedown of a run's flagged accounts for review, then apply it with an "
        "audit trail.\n\n"
        "  linkage takedown plan out/demo --allow-list allow.txt   # writes takedown-plan.json\n\n"
        "  linkage takedown apply out/demo/takedown-plan.json      # dry run\n\n"
        "  linkage takedown apply out/demo/takedown-plan.json --execute"
    ),
    no_args_is_help=True,
)


@app.command("plan")
def takedown_plan(
    run_dir: Annotated[Path, typer.Argument(help="Run folder written by `linkage run`.")],
    allow_list: Annotated[
        Path | None,
        typer.Option(help="File with one account_id or org:ORG per line, never to be touched."),
    ] = None,
    max_accounts: Annotated[
        int, typer.Option(help="Stop (exit 1) when the plan is larger than this.")
    ] = 1000,
    force_large: Annotated[
        bool, typer.Option("--force-large", help="Allow a plan larger than --max-accounts.")
    ] = False,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", help="Manifest to write (default RUN_DIR/takedown-plan.json)."),
    ] = None,
) -> None:
    """Write a takedown manifest to review: accounts with evidence, exclusions, blast radius.

    Accounts on the allow-list and accounts of declared organisations (an
    org_id at sign-up) are never included; the manifest lists them with why.
    """
    from linkage.deliver import takedown
    from linkage.io.run_folder import read_run

    try:
        allowed = takedown.read_allow_list(allow_list) if allow_list else None
        manifest = takedown.plan_takedown(read_run(run_dir), allowed, max_accounts, force_large)
        path = takedown.write_manifest(manifest, out_file or run_dir / "takedown-plan.json")
    except LinkageError as error:
        raise fail(error) from None
    blast = manifest["blast_radius"]
    out.print(
        f"manifest {manifest['manifest_id']}: suspend {blast['accounts']:,} accounts "
        f"({blast['exchanges']:,} exchanges) in {blast['clusters']} clusters; "
        f"{blast['excluded_accounts']:,} excluded"
    )
    for name in ("organizations_attributed", "signup_pathways_touched", "declared_orgs_touched"):
        if blast[name]:
            out.print(f"  {name}: {json.dumps(blast[name], ensure_ascii=False)}", highlight=False)
    out.print(f"written to {path}; review it, then `linkage takedown apply {path}`")


@app.command("apply")
def takedown_apply(
    manifest: Annotated[Path, typer.Argument(help="Manifest written by `takedown plan`.")],
    execute: Annotated[
        bool, typer.Option("--execute", help="Act; without it this is a dry run.")
    ] = False,
    audit_log: Annotated[
        Path | None,
        typer.Option(help="Append-only JSONL audit log (default: takedown-audit.jsonl beside it)."),
    ] = None,
) -> None:
    """Apply a reviewed manifest: a dry run unless --execute; never acts twice on one manifest.

    With --execute, writes MANIFEST.actions.csv (for the enforcement system)
    and MANIFEST.revert.csv (the inverse actions) beside the manifest and
    records every action in the audit log.
    """
    from linkage.deliver import takedown

    try:
        outcome = takedown.apply_manifest(manifest, execute=execute, audit_log=audit_log)
    except LinkageError as error:
        raise fail(error) from None
    pending = len(outcome.pending)
    done = f"{outcome.already_done:,} already applied (audit log {outcome.audit_log})"
    if not execute:
        out.print(
            f"dry run of {outcome.manifest_id}: would suspend {pending:,} accounts; {done}. "
            "Pass --execute to act."
        )
    elif not pending:
        out.print(f"nothing to do for {outcome.manifest_id}: {done}")
    else:
        out.print(
            f"{outcome.manifest_id}: {pending:,} actions written to {outcome.actions_csv} "
            f"(revert: {outcome.revert_csv}) and recorded in {outcome.audit_log}"
        )
