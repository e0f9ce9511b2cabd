"""Commands for working together through git: merge-file (git's merge
driver), git-setup, and schema (the ledger format for editors)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from target_tracker.cli.common import EXIT_USAGE, LedgerOption, app, fail, ledger_path
from target_tracker.i18n import N_, _, ngettext


@app.command(name="merge-file")
def merge_file(
    base: Annotated[Path, typer.Argument(metavar="BASE", help=N_("The common ancestor (git's %O)."))],
    ours: Annotated[Path, typer.Argument(metavar="OURS", help=N_("Our version; the result is written here (%A)."))],
    theirs: Annotated[Path, typer.Argument(metavar="THEIRS", help=N_("Their version (%B)."))],
    marker_size: Annotated[int, typer.Option("--marker-size", help=N_("Length of conflict markers (%L)."), min=1)] = 7,
) -> None:
    """Merge two versions of a ledger file, target by target (a git merge driver).

    Writes the result to OURS; exits 0 when clean, 1 when conflicts are left
    (marked with git's <<<<<<< ours / ======= / >>>>>>> theirs lines around one
    figure, one field or one target). Set it up with 'tracker git-setup'.

    \b
    Examples:
      tracker merge-file base.toml ours.toml theirs.toml
      git config merge.tracker.driver "tracker merge-file %O %A %B --marker-size %L"
    """
    from target_tracker.edits.operations import EditError
    from target_tracker.merge.driver import MergeRefused, merge_files

    for p in (base, ours, theirs):
        if not p.is_file():
            fail(_("{path}: no such file").format(path=p))
    try:
        outcome = merge_files(base, ours, theirs, marker_size)
    except (MergeRefused, EditError) as e:
        fail(str(e))
    except OSError as e:
        fail(_("cannot read the versions to merge: {error}").format(error=e.strerror or e))
    if outcome.fallback:
        typer.echo(_("tracker: used git's line merge instead: {reason}").format(reason=outcome.note), err=True)
    if outcome.conflicts:
        if ours.name.startswith(".merge_file_"):  # git's temporary file: git names the ledger itself
            message = ngettext(
                "tracker: {n} conflict left; resolve it, then run 'tracker check'",
                "tracker: {n} conflicts left; resolve them, then run 'tracker check'",
                outcome.conflicts,
            )
        else:
            message = ngettext("tracker: {n} conflict left in {path}; resolve it, then run 'tracker check'",
                               "tracker: {n} conflicts left in {path}; resolve them, then run 'tracker check'",
                               outcome.conflicts)  # fmt: skip
        typer.echo(message.format(n=outcome.conflicts, path=ours), err=True)
        raise typer.Exit(1)


@app.command(name="git-setup")
def git_setup(
    ctx: typer.Context,
    ledger: LedgerOption = None,
    command: Annotated[
        str | None,
        typer.Option(
            "--command", help=N_("The merge driver command git runs (default: chosen for this installation).")
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=N_("Print what would change; change nothing."))] = False,
) -> None:
    """Make git merge the ledger with 'tracker merge-file'.

    Adds 'targets.toml merge=tracker' (and lines for its included files) to
    .gitattributes at the top of the repository, keeping the lines already
    there, and sets merge.tracker.name and merge.tracker.driver in the
    repository's own git config. Running it again changes nothing.

    \b
    Examples:
      tracker git-setup
      tracker -f plans/targets.toml git-setup
    """
    from target_tracker.merge.git_setup import DRIVER_ARGS, SetupError, apply, driver_command, plan

    path = ledger_path(ctx, ledger)
    driver = command if command is None else command.strip()
    if driver is not None and not all(arg in driver for arg in ("%O", "%A", "%B")):
        fail(_("--command must pass git's %O %A %B, e.g. 'tracker {args}'").format(args=DRIVER_ARGS))
    try:
        setup = plan(path, driver or driver_command())
        if not setup.changes:
            typer.echo(_("{root}: already set up; nothing changed").format(root=setup.root))
            return
        for line in setup.new_lines:
            typer.echo(_("{file}: + {line}").format(file=setup.attributes, line=line))
        for key, value in setup.config.items():
            typer.echo(_("git config {key} {value}").format(key=key, value=value))
        if dry_run:
            typer.echo(_("(dry run: nothing written)"), err=True)
            return
        apply(setup)
    except SetupError as e:
        fail(str(e))
    except OSError as e:
        fail(_("{path}: {error}").format(path=path, error=e.strerror or e), EXIT_USAGE)


@app.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the ledger format.

    Editors validate targets.toml against it as you type (Even Better TOML /
    taplo, tombi); see README, 'Working together'.

    \b
    Examples:
      tracker schema > targets.schema.json
    """
    from target_tracker.ledger.schema import schema_text

    typer.echo(schema_text(), nl=False)
