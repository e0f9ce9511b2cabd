"""Commands that fix mistakes: remove, rename, undone (and update --delete, in edit_commands)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from target_tracker.cli.common import (
    DryRunOption,
    LedgerOption,
    MilestonesArgument,
    StageArgument,
    app,
    cache_for,
    fail,
    ledger_path,
    run_edit,
)
from target_tracker.i18n import N_, _


@app.command()
def remove(
    ctx: typer.Context,
    target_id: Annotated[str, typer.Argument(metavar="ID", help=N_("The target to remove."))],
    ledger: LedgerOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Remove a target (its whole table); a rollup that still has children is refused.

    \b
    Examples:
      tracker remove rail-freight --dry-run
      tracker remove rail-freight
    """
    from target_tracker.edits.fixes import remove as remove_target
    from target_tracker.edits.operations import EditError

    try:
        change = remove_target(ledger_path(ctx, ledger), target_id, dry_run=dry_run, cache=cache_for(ctx))
    except EditError as e:
        fail(str(e))
    if dry_run:
        sys.stdout.write(change.diff())
        typer.echo(_("(dry run: nothing written)"), err=True)
    else:
        typer.echo(_("removed {id} from {file}").format(id=target_id, file=change.path))


@app.command()
def rename(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(metavar="OLD", help=N_("The target's id now."))],
    new: Annotated[str, typer.Argument(metavar="NEW", help=N_("Its new id."))],
    ledger: LedgerOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Rename a target's id, and every parent = "OLD" that names it, in every included file.

    \b
    Examples:
      tracker rename rail-freight rail-freight-volume --dry-run
    """
    from target_tracker.edits.fixes import rename as rename_target
    from target_tracker.edits.operations import EditError

    try:
        changes = rename_target(ledger_path(ctx, ledger), old, new, dry_run=dry_run, cache=cache_for(ctx)).changes
    except EditError as e:
        fail(str(e))
    if dry_run:
        for change in changes:
            sys.stdout.write(change.diff())
        typer.echo(_("(dry run: nothing written)"), err=True)
    else:
        files = ", ".join(str(c.path) for c in changes)
        typer.echo(_("renamed {old} to {new} in {files}").format(old=old, new=new, files=files))


@app.command()
def undone(
    ctx: typer.Context,
    target_id: MilestonesArgument,
    stage: StageArgument,
    ledger: LedgerOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Mark a stage as not done (removes its done date): undoes a wrong 'tracker done'.

    \b
    Examples:
      tracker undone linwu-lianzhou-expressway "Project approval"
    """
    from target_tracker.edits.fixes import UndoStage

    result = run_edit(ctx, ledger, UndoStage(target_id, stage=stage), dry_run)
    if result.written:
        found = result.applied[0].found
        typer.echo(_("{id}: stage {n} '{name}' is no longer done (was done {date})").format(
            id=target_id, n=found["index"] + 1, name=found["name"], date=found["was"]))  # fmt: skip
