"""The ``tracker`` command line: parse options, call, render, set the exit code.

Only this module reads the clock, the environment and the terminal. Heavy
modules (tomlkit, dateutil, Jinja2, matplotlib) are imported inside the
commands that need them, so ``tracker status`` starts fast.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from . import __version__
from .model import STATUSES, Problem

app = typer.Typer(
    name="tracker",
    help="Track a city's public commitments in targets.toml: status, checks, edits and monthly reports.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_DATA_ERRORS = 1  # tracker check found errors in the data
EXIT_USAGE = 2  # bad input: missing or broken ledger, bad option value, refused edit


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """One line on stderr and a non-zero exit; never a traceback."""
    typer.echo(f"tracker: {message}", err=True)
    raise typer.Exit(code)


LedgerOption = Annotated[
    Path | None,
    typer.Option(
        "-f",
        "--ledger",
        help="Ledger file. Default: $TRACKER_LEDGER, else ./targets.toml.",
        show_default=False,
    ),
]
FormatOption = Annotated[
    str,
    typer.Option("--format", "-F", help="text, markdown, csv, json, or a table style: simple, github, grid..."),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Evaluate as of this date: 2021-10-31, 2021-10 (month end), 'Oct 2021'."),
]


@app.callback(invoke_without_command=True)
def main_options(
    ctx: typer.Context,
    ledger: LedgerOption = None,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Parse the ledger afresh; do not read or write the cache.")
    ] = False,
) -> None:
    """Track a city's public commitments in targets.toml.

    \b
    Examples:
      tracker status                      where every commitment stands today
      tracker status --as-of 2021-10      as the ledger stood at the end of Oct 2021
      tracker show reform-tasks           one target in full, with its sources
      tracker check                       validate targets.toml
    """
    if version:
        typer.echo(f"tracker {__version__}")
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit()
    ctx.obj = {"ledger": ledger, "no_cache": no_cache}


def ledger_path(ctx: typer.Context, ledger: Path | None) -> Path:
    """-f after the command, else -f before it, else $TRACKER_LEDGER, else ./targets.toml."""
    if ledger is not None:
        return ledger
    parent = (ctx.obj or {}).get("ledger") if ctx.obj else None
    if parent is not None:
        return Path(parent)
    env = os.environ.get("TRACKER_LEDGER")
    return Path(env) if env else Path("targets.toml")


def cache_for(ctx: typer.Context):  # type: ignore[no-untyped-def]
    """The parsed-file cache, unless --no-cache or TRACKER_NO_CACHE."""
    from .cache import default_cache

    root = ctx.find_root()
    if (root.obj or {}).get("no_cache"):
        return None
    return default_cache()


def today() -> date:
    return date.today()


def parse_day(text: str | None, what: str = "--date") -> date:
    """A date the user typed (default: today), or a one-line error naming the option."""
    from .dates import DateError, parse_date

    if text is None:
        return today()
    try:
        return parse_date(text, today=today())
    except DateError as e:
        fail(f"{what}: {e}")


def parse_as_of(text: str | None) -> date:
    return parse_day(text, "--as-of")


def use_color(fmt: str) -> bool:
    if os.environ.get("NO_COLOR") or fmt in ("csv", "json", "markdown"):
        return False
    return sys.stdout.isatty()


def print_problems(problems: list[Problem], limit: int | None = None) -> None:
    shown = problems if limit is None else problems[:limit]
    for p in shown:
        typer.echo(str(p), err=True)
    if limit is not None and len(problems) > limit:
        typer.echo(f"... and {len(problems) - limit} more", err=True)


def load_checked(ctx: typer.Context, path: Path):  # type: ignore[no-untyped-def]
    """Load and check the ledger; refuse (exit 2) if it has errors."""
    from .checks import load_and_check

    result, problems = load_and_check(path, cache=cache_for(ctx))
    errors = [p for p in problems if p.severity == "error"]
    if result.ledger is None:
        fail(str(problems[0]))
    if errors:
        print_problems(errors, limit=5)
        fail(f"{path}: {len(errors)} error(s) in the ledger; run 'tracker check' to see them all")
    print_problems([p for p in problems if p.severity == "warning"], limit=5)
    return result.ledger


def check_format(fmt: str) -> str:
    """Validate --format before any work is done."""
    from .render import FormatError
    from .render import check_format as check

    try:
        return check(fmt)
    except FormatError as e:
        fail(f"--format: {e}")


def emit(view, fmt: str) -> None:  # type: ignore[no-untyped-def]
    from .render import render

    sys.stdout.write(render(view, check_format(fmt), color=use_color(fmt)))


SORT_KEYS = ("ledger", "id", "due", "done", "gap", "status", "updated")


@app.command()
def status(
    ctx: typer.Context,
    ledger: LedgerOption = None,
    as_of: AsOfOption = None,
    area: Annotated[list[str] | None, typer.Option("--area", help="Only this area (repeatable).")] = None,
    owner: Annotated[list[str] | None, typer.Option("--owner", help="Only this owner (repeatable).")] = None,
    status_: Annotated[
        list[str] | None, typer.Option("--status", help="Only this status (repeatable): " + ", ".join(STATUSES))
    ] = None,
    sort: Annotated[
        str, typer.Option("--sort", help="ledger (default), id, due, done, gap, status, updated.")
    ] = "ledger",
    fmt: FormatOption = "text",
) -> None:
    """Where every commitment stands, as a table grouped by area.

    \b
    Examples:
      tracker status
      tracker status --as-of 2021-10-31 --area "Free Trade Zone"
      tracker status --status behind --status overdue --sort gap
      tracker status --format json > status.json
    """
    from .compute import evaluate
    from .views import status_view

    when = parse_as_of(as_of)
    check_format(fmt)
    for s in status_ or []:
        if s not in STATUSES:
            fail(f"--status: unknown status '{s}': use {', '.join(STATUSES)}")
    if sort not in SORT_KEYS:
        fail(f"--sort: unknown key '{sort}': use {', '.join(SORT_KEYS)}")
    model = load_checked(ctx, ledger_path(ctx, ledger))
    ev = evaluate(model, when)
    rows = ev.rows
    if area:
        wanted = {a.casefold() for a in area}
        rows = [r for r in rows if r.area.casefold() in wanted]
        if not rows:
            known = sorted({r.area for r in ev.rows})
            fail(f"--area: no targets in {', '.join(area)}; areas are: {', '.join(known)}")
    if owner:
        wanted = {o.casefold() for o in owner}
        rows = [r for r in rows if r.target.owner.casefold() in wanted]
    if status_:
        rows = [r for r in rows if r.status in status_]
    if sort != "ledger":
        rows = sorted(rows, key=_sort_key(sort))
    emit(status_view(ev, rows, tree=sort == "ledger" and not status_), fmt)


def _sort_key(key: str):  # type: ignore[no-untyped-def]
    far = date.max
    order = {s: i for i, s in enumerate(("overdue", "behind", "missed", "at-risk", "no-data", "on-track",
                                          "met", "not-started", "done", "paused", "cancelled"))}  # fmt: skip
    return {
        "id": lambda r: r.target.id,
        "due": lambda r: (r.area, r.due or far),
        "done": lambda r: (r.area, r.ratio if r.ratio is not None else -1.0),
        "gap": lambda r: (r.area, -(r.gap if r.gap is not None else -9.0)),
        "status": lambda r: (r.area, order.get(r.status, 99)),
        "updated": lambda r: (r.area, r.updated or date.min),
    }[key]


@app.command()
def show(
    ctx: typer.Context,
    target_id: Annotated[str, typer.Argument(metavar="ID", help="The target's id, as in [targets.ID].")],
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
    import difflib

    from .compute import evaluate
    from .views import show_view

    when = parse_as_of(as_of)
    check_format(fmt)
    model = load_checked(ctx, ledger_path(ctx, ledger))
    if target_id not in model.targets:
        hint = difflib.get_close_matches(target_id, list(model.targets), n=1)
        fail(f"no target '{target_id}' in {model.path}" + (f" (did you mean '{hint[0]}'?)" if hint else ""))
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
    from .checks import load_and_check

    path = ledger_path(ctx, ledger)
    result, problems = load_and_check(path, cache=cache_for(ctx))
    if result.ledger is None:
        print_problems(problems)
        raise typer.Exit(EXIT_USAGE)
    problems.sort(key=lambda p: (p.file != str(path), p.file, p.line or 0))
    print_problems(problems)
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    n = len(result.ledger.targets)
    typer.echo(f"{path}: {n} targets, {errors} error(s), {warnings} warning(s)", err=bool(errors))
    if errors:
        raise typer.Exit(EXIT_DATA_ERRORS)


def main() -> None:
    """Console-script entry point: no traceback ever reaches a planner."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("tracker: interrupted", err=True)
        sys.exit(130)
    except (BrokenPipeError, SystemExit):
        raise
    except Exception as e:  # pragma: no cover - last resort
        if os.environ.get("TRACKER_DEBUG"):
            raise
        typer.echo(f"tracker: internal error: {type(e).__name__}: {e} (set TRACKER_DEBUG=1 for details)", err=True)
        sys.exit(3)


# -- editing ------------------------------------------------------------------------

DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Print the change as a unified diff; write nothing.")]
DateOption = Annotated[str | None, typer.Option("--date", help="Date of the figure: 2021-10-31 (default: today).")]


def run_edit(ctx: typer.Context, ledger: Path | None, edit, dry_run: bool, confirm=None):  # type: ignore[no-untyped-def]
    """Apply one Edit through the single write path; print the diff on --dry-run."""
    from .edit import EditError, apply
    from .ledgerfile import commit_edit, file_holding

    main = ledger_path(ctx, ledger)

    def transform_for(main_path: Path, main_text: str):  # type: ignore[no-untyped-def]
        return file_holding(main_path, main_text, edit.target_id), lambda text: apply(edit, text)

    try:
        change = commit_edit(main, transform_for, dry_run=dry_run, confirm=confirm, cache=cache_for(ctx))
    except EditError as e:
        fail(str(e))
    if dry_run:
        show_dry_run(change)
    return change


def show_dry_run(change) -> None:  # type: ignore[no-untyped-def]
    """--dry-run: the change as a unified diff on stdout, a note on stderr."""
    sys.stdout.write(change.diff())
    typer.echo("(dry run: nothing written)", err=True)


@app.command()
def update(
    ctx: typer.Context,
    target_id: Annotated[str, typer.Argument(metavar="ID", help="The target's id.")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="The figure, in the target's unit: 95, 6.178.")],
    ledger: LedgerOption = None,
    on: DateOption = None,
    note: Annotated[str | None, typer.Option("--note", help="What the figure is, e.g. 'Jan-Nov total'.")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Where the figure was reported.")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace the figure already on that date.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Accept a date in the future or after the due date.")] = False,
    dry_run: DryRunOption = False,
) -> None:
    """Record a figure (observation) for a quantity or maintain target.

    \b
    Examples:
      tracker update reform-tasks 95 --date 2021-11-30 --source "Area report Nov 2021"
      tracker update gba-vegetables-share 83 --date 2021-12 --note "full year"
      tracker update reform-tasks 96 --date 2021-11-30 --replace
    """
    from .edit import EditError, RecordObservation, parse_number

    day = parse_day(on)
    try:
        _, value_text = parse_number(value)
    except EditError as e:
        fail(str(e))
    if day > today() and not force:
        fail(f"--date {day} is in the future; use --force if that is intended")
    edit = RecordObservation(target_id, day=day, value_text=value_text, note=note, source=source, replace=replace)

    def confirm(model):  # type: ignore[no-untyped-def]
        t = model.targets[target_id]
        if t.kind not in ("quantity", "maintain"):
            hint = "tracker done ID STAGE" if t.kind == "milestones" else "its children"
            raise EditError(f"'{target_id}' is a {t.kind} target; it takes no figures (use {hint})")
        if t.due and day > t.due and not force:
            raise EditError(f"--date {day} is after the due date {t.due}; use --force if that is intended")

    change = run_edit(ctx, ledger, edit, dry_run, confirm)
    if not dry_run and change.ledger is not None:
        from .views import observation_effect

        typer.echo(observation_effect(change.ledger, target_id, day, edit.replaced))


@app.command()
def done(
    ctx: typer.Context,
    target_id: Annotated[str, typer.Argument(metavar="ID", help="A milestones target's id.")],
    stage: Annotated[
        str, typer.Argument(metavar="STAGE", help="The stage's name (or its start) or number (1 = first).")
    ],
    ledger: LedgerOption = None,
    on: DateOption = None,
    replace: Annotated[bool, typer.Option("--replace", help="Change the date of a stage already done.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Accept a date in the future.")] = False,
    dry_run: DryRunOption = False,
) -> None:
    """Mark a stage of a milestones target done.

    \b
    Examples:
      tracker done linwu-lianzhou-expressway "Project approval" --date 2022-05-20
      tracker done beihu-airport-expansion 2
    """
    from .edit import MarkStageDone

    day = parse_day(on)
    if day > today() and not force:
        fail(f"--date {day} is in the future; use --force if that is intended")
    edit = MarkStageDone(target_id, stage=stage, day=day, replace=replace)
    change = run_edit(ctx, ledger, edit, dry_run)
    if not dry_run and change.ledger is not None:
        from .views import stage_effect

        typer.echo(stage_effect(change.ledger, target_id, edit.index, day))


@app.command(name="set")
def set_field(
    ctx: typer.Context,
    target_id: Annotated[str, typer.Argument(metavar="ID", help="The target's id.")],
    field: Annotated[
        str, typer.Argument(metavar="FIELD", help="due, start, target, baseline, owner, state, title, ...")
    ],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="The new value.")],
    ledger: LedgerOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Change one field of a target, validated like everything else.

    \b
    Examples:
      tracker set reform-tasks due 2024-06-30
      tracker set beihu-airport-expansion owner "Civil Aviation Office"
      tracker set five-opening-up-actions state paused
    """
    from .edit import EditError, SetField, render_field

    try:
        rendered = render_field(field, value, lambda raw: parse_day(raw, field))
    except EditError as e:
        fail(str(e))
    change = run_edit(ctx, ledger, SetField(target_id, name=field, rendered=rendered), dry_run)
    if not dry_run and change.ledger is not None:
        from .views import field_effect

        typer.echo(field_effect(change.ledger, target_id, field, today()))


KindOption = Annotated[str | None, typer.Option("--kind", help="quantity, maintain, milestones or rollup (inferred).")]


@app.command()
def add(
    ctx: typer.Context,
    target_id: Annotated[str, typer.Argument(metavar="ID", help="A new id: letters, digits, '-' and '_'.")],
    title: Annotated[str, typer.Option("--title", help="What the commitment is.")],
    ledger: LedgerOption = None,
    kind: KindOption = None,
    baseline: Annotated[str | None, typer.Option("--baseline", help="Starting value (quantity; default 0).")] = None,
    target: Annotated[str | None, typer.Option("--target", help="Target value (quantity).")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Unit: tasks, km, billion yuan, %.")] = None,
    start: Annotated[str | None, typer.Option("--start", help="Start date (default: today).")] = None,
    due: Annotated[str | None, typer.Option("--due", help="Due date.")] = None,
    area: Annotated[str | None, typer.Option("--area", help="The plan's pillar or chapter.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Who answers for it.")] = None,
    parent: Annotated[str | None, typer.Option("--parent", help="The rollup it belongs to.")] = None,
    weight: Annotated[str | None, typer.Option("--weight", help="Weight inside its parent (default 1).")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Where the commitment was made.")] = None,
    at_least: Annotated[str | None, typer.Option("--at-least", help="maintain: keep the level at or above.")] = None,
    at_most: Annotated[str | None, typer.Option("--at-most", help="maintain: keep the level at or below.")] = None,
    stage: Annotated[
        list[str] | None, typer.Option("--stage", help="milestones: a stage, repeatable; NAME or NAME:WEIGHT@DATE.")
    ] = None,
    stage_weight: Annotated[
        list[str] | None, typer.Option("--stage-weight", help="Weights of the stages, in order (repeatable).")
    ] = None,
    stage_planned: Annotated[
        list[str] | None, typer.Option("--stage-planned", help="Planned dates of the stages, in order (repeatable).")
    ] = None,
    dry_run: DryRunOption = False,
) -> None:
    """Add a new target.

    \b
    Examples:
      tracker add rail-freight --title "Rail freight volume" --target 120 --unit "10k t" --due 2025-12-31
      tracker add jobless-rate --title "Urban unemployment rate" --at-most 5.5 --unit %
      tracker add new-bridge --title "Xiang River bridge" --due 2026-12-31 \\
          --stage "Approval:1@2025-06-30" --stage "Construction:2@2026-03-31" --stage "Opening:3"
    """
    from .edit import EditError
    from .newtarget import NewTarget, add_target

    spec = NewTarget(
        id=target_id, title=title, kind=kind, baseline=baseline, target=target, unit=unit,
        start=start, due=due, area=area, owner=owner, parent=parent, weight=weight, source=source,
        at_least=at_least, at_most=at_most, stages=stage or [], stage_weights=stage_weight or [],
        stage_planned=stage_planned or [],
    )  # fmt: skip
    main = ledger_path(ctx, ledger)
    try:
        change = add_target(
            main, spec, lambda raw, what: parse_day(raw, what), today(), dry_run=dry_run, cache=cache_for(ctx)
        )
    except EditError as e:
        fail(str(e))
    if dry_run:
        show_dry_run(change)
    else:
        typer.echo(f"added {target_id} to {change.path}")


@app.command()
def init(
    ctx: typer.Context,
    path: Annotated[Path | None, typer.Argument(help="Where to create the ledger (default: the ledger path).")] = None,
    ledger: LedgerOption = None,
    example: Annotated[bool, typer.Option("--example", help="Write the Chenzhou example ledger.")] = False,
    title: Annotated[str, typer.Option("--title", help="The new ledger's title.")] = "Our city's commitments",
    dry_run: DryRunOption = False,
) -> None:
    """Create a new ledger; never overwrites an existing file.

    \b
    Examples:
      tracker init
      tracker init plans/2026.toml --title "Chenzhou 2026 commitments"
      tracker init demo.toml --example
    """
    from .edit import EditError
    from .ledgerfile import create_file
    from .newtarget import example_ledger, minimal_ledger

    target = path or ledger_path(ctx, ledger)
    text = example_ledger() if example else minimal_ledger(title)
    try:
        change = create_file(target, text, dry_run=dry_run)
    except EditError as e:
        fail(str(e))
    if dry_run:
        show_dry_run(change)
    else:
        typer.echo(f"created {target}; add targets with 'tracker add' or an editor, then run 'tracker check'")


# -- reports --------------------------------------------------------------------------


def generated_on() -> date:
    """The report's "generated on" date; honours SOURCE_DATE_EPOCH for reproducible builds."""
    from datetime import UTC, datetime

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC).date()
        except (ValueError, OverflowError, OSError):
            fail(f"SOURCE_DATE_EPOCH='{epoch}' is not a number of seconds")
    return today()


@app.command()
def report(
    ctx: typer.Context,
    ledger: LedgerOption = None,
    month: Annotated[str | None, typer.Option("--month", help="YYYY-MM (default: the last complete month).")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="First month of a series, YYYY-MM.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last month of a series, YYYY-MM (default: --from).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-F", help="md, html, json or csv.")] = "md",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (a folder with --from).")] = None,
    area: Annotated[list[str] | None, typer.Option("--area", help="Only this area (repeatable).")] = None,
) -> None:
    """The monthly progress report for leadership, ready to send.

    Evaluated as of the month's last day and compared with the month before:
    headline, status changes, the month's updates, each area's table, what
    needs attention, what is coming up, and the method and sources.

    \b
    Examples:
      tracker report                                  last month, Markdown, on screen
      tracker report --month 2021-10 --format html --out report-2021-10.html
      tracker report --from 2021-01 --to 2021-12 --format html --out reports/
    """
    from .dates import DateError, last_complete_month, parse_month

    if fmt not in ("md", "markdown", "html", "json", "csv"):
        fail(f"--format: unknown report format '{fmt}': use md, html, json or csv")
    if month and from_:
        fail("give either --month or --from/--to, not both")
    try:
        if from_:
            months = month_range(from_, to or from_)
            if out is None:
                fail("--from/--to writes one file per month: give --out FOLDER")
        else:
            if to:
                fail("--to goes with --from")
            months = [month or last_complete_month(today())]
            parse_month(months[0])
    except DateError as e:
        fail(str(e))
    model = load_checked(ctx, ledger_path(ctx, ledger))
    if area:
        known = {t.area.casefold() for t in model.targets.values()}
        missing = [a for a in area if a.casefold() not in known]
        if missing:
            fail(f"--area: no targets in {', '.join(missing)}")
    from .report import build_report
    from .report_render import REPORT_FORMATS, render_report

    ext = REPORT_FORMATS[fmt]
    stamp = generated_on()
    for m in months:
        text = render_report(build_report(model, m, stamp, area), fmt)
        if out is None:
            sys.stdout.write(text)
            continue
        target = out / f"report-{m}.{ext}" if from_ else out
        write_output(target, text)
        typer.echo(f"wrote {target}", err=True)


def month_range(first: str, last: str) -> list[str]:
    from .dates import DateError, parse_month

    a, _ = parse_month(first)
    b, _ = parse_month(last)
    if b < a:
        raise DateError(f"--to {last} is before --from {first}")
    months = []
    y, m = a.year, a.month
    while (y, m) <= (b.year, b.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    if len(months) > 600:
        raise DateError("at most 600 months at a time")
    return months


def write_output(path: Path, text: str) -> None:
    from .edit import EditError
    from .ledgerfile import atomic_write

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            fail(f"--out {path} is a folder; give a file name (or use --from/--to)")
        atomic_write(path, text.encode("utf-8"))
    except EditError as e:
        fail(str(e))
    except OSError as e:
        fail(f"{path}: cannot write: {e.strerror or e}")
