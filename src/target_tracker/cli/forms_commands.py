"""The monthly collection round: ``tracker forms`` (fill-in forms out) and
``tracker import`` (the filled forms back, as one checked edit)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from target_tracker.cli import common
from target_tracker.cli.common import (
    DryRunOption,
    LedgerOption,
    app,
    cache_for,
    fail,
    ledger_path,
    load_checked,
    refine_language,
)
from target_tracker.i18n import N_, _, format_month, ngettext

if TYPE_CHECKING:
    from target_tracker.ledger.model import Ledger


@app.command()
def forms(
    ctx: typer.Context,
    month: Annotated[
        str | None,
        typer.Option("--month", help=N_("The month to collect, YYYY-MM (default: the last complete month).")),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help=N_("Folder for the forms (created if missing)."))] = Path("forms"),
    owner: Annotated[
        list[str] | None, typer.Option("--owner", help=N_("Only this owner (department); repeatable."))
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help=N_("xlsx (default) or csv (UTF-8 with BOM)."))] = "xlsx",
    force: Annotated[bool, typer.Option("--force", help=N_("Overwrite forms already in the folder."))] = False,
    ledger: LedgerOption = None,
) -> None:
    """Write one fill-in form per owner (department) for a month's figures.

    \b
    Examples:
      tracker forms --month 2021-11 --out forms/
      tracker forms --month 2021-11 --out forms/ --owner 交通运输局 --format csv
    """
    from target_tracker.dates import DateError, last_complete_month, parse_month
    from target_tracker.edits.operations import EditError
    from target_tracker.edits.transaction import atomic_write
    from target_tracker.forms.layout import build_forms, file_names, owners_of
    from target_tracker.forms.writer import write_csv, write_xlsx

    if fmt not in ("xlsx", "csv"):
        fail(_("--format: '{format}' is not a form format; use xlsx or csv").format(format=fmt))
    month = month or last_complete_month(common.today())
    try:
        first, last = parse_month(month)
    except DateError as e:
        fail(_("--month: {error}").format(error=e))
    model = load_checked(ctx, ledger_path(ctx, ledger))
    known = owners_of(model)
    for o in owner or []:
        if o not in known:
            from target_tracker.suggest import did_you_mean

            fail(_("--owner: no target is owned by '{owner}'{tip}").format(owner=o, tip=did_you_mean(o, known)))
    made = build_forms(model, first, last, owner or None)
    if not made:
        fail(_("no active target takes a figure or has an open stage in {month}; no form written").format(
            month=format_month(first.year, first.month)))  # fmt: skip
    names = file_names([f.owner for f in made])
    paths = {f.owner: out / f"{names[f.owner]}.{fmt}" for f in made}
    if out.exists() and not out.is_dir():
        fail(_("--out {path} is a file; give a folder").format(path=out))
    existing = [p for p in paths.values() if p.exists()]
    if existing and not force:
        fail(_("{path} already exists (a returned form?); not overwriting it: use another --out or --force").format(
            path=existing[0]))  # fmt: skip
    try:
        out.mkdir(parents=True, exist_ok=True)
        for f in made:
            data = write_xlsx(f, common.today()) if fmt == "xlsx" else write_csv(f)
            atomic_write(paths[f.owner], data)
            what = [ngettext("{n} target", "{n} targets", f.figures).format(n=f.figures)] if f.figures else []
            if f.stages:
                what.append(ngettext("{n} open stage", "{n} open stages", f.stages).format(n=f.stages))
            typer.echo(_("wrote {path}: {what}").format(path=paths[f.owner], what=_(", ").join(what)))
    except EditError as e:
        fail(str(e))
    except OSError as e:
        fail(_("{path}: cannot write: {error}").format(path=out, error=e.strerror or e))
    typer.echo(
        ngettext("{n} form for {month} in {folder}", "{n} forms for {month} in {folder}", len(made)).format(
            n=len(made), month=format_month(first.year, first.month), folder=out
        )
    )


@app.command(name="import")
def import_forms(
    ctx: typer.Context,
    files: Annotated[
        list[Path], typer.Argument(metavar="FORM...", help=N_("Filled forms (.xlsx or .csv), one or more."))
    ],
    month: Annotated[
        str | None, typer.Option("--month", help=N_("Refuse forms for any other month (default: the forms' month)."))
    ] = None,
    ledger: LedgerOption = None,
    dry_run: DryRunOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help=N_("Do not print plausibility warnings."))] = False,
) -> None:
    """Record every figure and stage filled in the forms, as one checked edit.

    All or nothing: if any row is wrong, nothing is written and every problem
    is listed with its file, sheet and cell.

    \b
    Examples:
      tracker import forms/*.xlsx --dry-run
      tracker import forms/*.xlsx
    """
    from target_tracker.dates import DateError, parse_month
    from target_tracker.edits.operations import EditError
    from target_tracker.forms.plan import Refused, import_forms, summary_lines
    from target_tracker.forms.reader import read_form

    if month is not None:
        try:
            parse_month(month)
        except DateError as e:
            fail(_("--month: {error}").format(error=e))
    main = ledger_path(ctx, ledger)
    common.import_openpyxl_lean()
    read: list[Ledger] = []

    def on_load(model: Ledger) -> None:
        read.append(model)
        refine_language(ctx, model.settings.lang)

    try:
        plan, changes = import_forms(main, lambda: [read_form(p) for p in files], common.today(), month,
                                     dry_run=dry_run, cache=cache_for(ctx), on_load=on_load)  # fmt: skip
    except Refused as refused:
        for p in refused.plan.problems:
            typer.echo(str(p), err=True)
        n = len(refused.plan.problems)
        fail(ngettext("{n} problem in the forms; nothing was written",
                      "{n} problems in the forms; nothing was written", n).format(n=n))  # fmt: skip
    except EditError as e:
        fail(str(e))
    if dry_run:
        for change in changes:
            sys.stdout.write(change.diff())
    if not quiet and plan.doubts:
        from target_tracker.output.views import plausibility_warning

        for entry, code in plan.doubts:  # the same words as `update`, with the form's cell
            warning = plausibility_warning(read[-1], entry.target_id, code, entry.value)
            typer.echo(_("{where}: {warning}").format(where=entry.where, warning=warning), err=True)
    for line in summary_lines(plan, dry_run=dry_run):
        typer.echo(line)
    if dry_run:
        typer.echo(_("(dry run: nothing written)"), err=True)
