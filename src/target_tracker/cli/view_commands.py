"""Commands that read the ledger: status, show, check."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from target_tracker.cli.common import (
    EXIT_DATA_ERRORS,
    EXIT_USAGE,
    AsOfOption,
    FormatOption,
    LedgerOption,
    app,
    cache_for,
    check_format,
    emit,
    fail,
    ledger_path,
    load_checked,
    parse_as_of,
    print_problems,
    refine_language,
    use_ledger_language,
)  # fmt: skip
from target_tracker.i18n import N_, _, ngettext


@app.command()
def status(
    ctx: typer.Context,
    ledger: LedgerOption = None,
    as_of: AsOfOption = None,
    area: Annotated[list[str] | None, typer.Option("--area", help=N_("Only this area (repeatable)."))] = None,
    owner: Annotated[list[str] | None, typer.Option("--owner", help=N_("Only this owner (repeatable)."))] = None,
    status_: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            help=N_(
                "Only this status (repeatable): done, on-track, at-risk, behind, overdue, met, missed, not-started, "
                "no-data, paused, cancelled"
            ),
        ),
    ] = None,
    sort: Annotated[
        str, typer.Option("--sort", help=N_("ledger (default), id, due, done, gap, status, updated."))
    ] = "ledger",
    fmt: FormatOption = "text",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help=N_("Write to this file instead of the screen (--format xlsx needs it).")),
    ] = None,
    as_reported: Annotated[
        bool,
        typer.Option(
            "--as-reported",
            help=N_("Only targets added and figures recorded by the as-of date: what a report issued then showed."),
        ),
    ] = False,
) -> None:
    """Where every commitment stands, as a table grouped by area.

    \b
    Examples:
      tracker status
      tracker status --as-of 2021-10-31 --area "Free Trade Zone"
      tracker status --status behind --status overdue --sort gap
      tracker status --format json > status.json
      tracker status --format xlsx --out status.xlsx
      tracker status --as-of 2021-11-10 --as-reported
    """
    from target_tracker.compute import as_reported as known_on
    from target_tracker.compute import evaluate
    from target_tracker.output.views import status_view
    from target_tracker.selection import SelectionError, check_sort, check_statuses, select, sort_rows, unknown_areas

    use_ledger_language(ctx, ledger)  # a bad option is told in the ledger's language too
    when = parse_as_of(as_of)
    if out is not None and fmt == "text":  # no --format: the file's extension says
        fmt = {".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".md": "markdown"}.get(out.suffix.lower(), fmt)
    if fmt == "xlsx":
        if out is None:
            fail(_("--format xlsx writes a file: give --out FILE.xlsx"))
    else:
        check_format(fmt)
    try:
        check_statuses(status_ or [])
    except SelectionError as e:
        fail(_("{option}: {error}").format(option="--status", error=e))
    try:
        check_sort(sort)
    except SelectionError as e:
        fail(_("{option}: {error}").format(option="--sort", error=e))
    model = load_checked(ctx, ledger_path(ctx, ledger))
    ev = evaluate(known_on(model, when) if as_reported else model, when)
    missing = unknown_areas((r.area for r in ev.rows), area or [])
    if missing:  # a typo in one area is an error, as in `report`, not a silently shorter table
        known = sorted({r.area for r in ev.rows})
        fail(
            _("--area: no targets in {wanted}; areas are: {areas}").format(
                wanted=_(", ").join(missing), areas=_(", ").join(known)
            )
        )
    rows = sort_rows(select(ev.rows, areas=area, owners=owner, statuses=status_), sort)
    if out is not None:
        _status_to_file(ev, rows, fmt, out, tree=sort == "ledger" and not status_)
        return
    emit(status_view(ev, rows, tree=sort == "ledger" and not status_, as_reported=as_reported), fmt)


def _status_to_file(ev, rows, fmt: str, out: Path, tree: bool) -> None:  # type: ignore[no-untyped-def]
    """status --out: the xlsx ledger sheet, or any text format (CSV with a BOM for Excel)."""
    from target_tracker.cli.report_command import encode, generated_on, write_file

    if fmt == "xlsx":
        from target_tracker.reports.xlsx_report import status_workbook

        data = status_workbook(ev.ledger, rows, ev.as_of, generated_on())
    else:
        from target_tracker.output.render import render
        from target_tracker.output.views import status_view

        data = encode(render(status_view(ev, rows, tree=tree), fmt), fmt, to_file=True)
    write_file(out, data)
    typer.echo(_("wrote {file}").format(file=out), err=True)


@app.command()
def show(
    ctx: typer.Context,
    target_id: Annotated[str, typer.Argument(metavar="ID", help=N_("The target's id, as in [targets.ID]."))],
    ledger: LedgerOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = "text",
) -> None:
    """One target in full: fields, source, figures with their changes, stages,
    children, and a projected completion date against the due date.

    \b
    Examples:
      tracker show reform-tasks
      tracker show linwu-lianzhou-expressway --as-of 2021-10
    """
    from target_tracker.compute import evaluate
    from target_tracker.output.views import show_view

    use_ledger_language(ctx, ledger)
    when = parse_as_of(as_of)
    check_format(fmt)
    model = load_checked(ctx, ledger_path(ctx, ledger))
    if target_id not in model.targets:
        from target_tracker.suggest import did_you_mean

        fail(
            _("no target '{id}' in {file}{tip}").format(
                id=target_id, file=model.path, tip=did_you_mean(target_id, model.targets)
            )
        )
    emit(show_view(evaluate(model, when), target_id), fmt)


@app.command()
def check(ctx: typer.Context, ledger: LedgerOption = None) -> None:
    """Validate the ledger and report every problem at once as FILE:LINE: message.

    Exit code 0 when there are no errors (warnings allowed), 1 when the data
    has errors, 2 when the file cannot be read or parsed.

    \b
    Examples:
      tracker check
      tracker -f other.toml check
    """
    from target_tracker.ledger.checks import load_and_check

    path = ledger_path(ctx, ledger)
    result, problems = load_and_check(path, cache=cache_for(ctx), thorough=True)
    if result.ledger is not None and refine_language(ctx, result.ledger.settings.lang):
        result, problems = load_and_check(path, cache=cache_for(ctx), thorough=True)  # in the ledger's language
    if result.ledger is None:
        print_problems(problems)
        raise typer.Exit(EXIT_USAGE)
    problems.sort(key=lambda p: (p.file != str(path), p.file, p.line or 0))
    print_problems(problems)
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    n = len(result.ledger.targets)
    summary = ngettext("{file}: {n} target, {errors}, {warnings}", "{file}: {n} targets, {errors}, {warnings}", n)
    typer.echo(summary.format(
        file=path, n=n,
        errors=ngettext("{n} error", "{n} errors", errors).format(n=errors),
        warnings=ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings)), err=bool(errors))  # fmt: skip

    if errors:
        raise typer.Exit(EXIT_DATA_ERRORS)
