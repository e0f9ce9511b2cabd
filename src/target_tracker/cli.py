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
    ctx.obj = {"ledger": ledger}


def ledger_path(ctx: typer.Context, ledger: Path | None) -> Path:
    """-f after the command, else -f before it, else $TRACKER_LEDGER, else ./targets.toml."""
    if ledger is not None:
        return ledger
    parent = (ctx.obj or {}).get("ledger") if ctx.obj else None
    if parent is not None:
        return Path(parent)
    env = os.environ.get("TRACKER_LEDGER")
    return Path(env) if env else Path("targets.toml")


def today() -> date:
    return date.today()


def parse_as_of(text: str | None) -> date:
    from .dates import DateError, parse_date

    if text is None:
        return today()
    try:
        return parse_date(text, today=today())
    except DateError as e:
        fail(f"--as-of: {e}")


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


def load_checked(path: Path):  # type: ignore[no-untyped-def]
    """Load and check the ledger; refuse (exit 2) if it has errors."""
    from .checks import run_checks
    from .load import attach_lines, load_ledger

    result = load_ledger(path)
    problems = result.problems
    if result.ledger is not None:
        extra = run_checks(result.ledger)
        if extra:
            problems = problems + attach_lines(extra, result.texts)
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
    model = load_checked(ledger_path(ctx, ledger))
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
    model = load_checked(ledger_path(ctx, ledger))
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
    from .checks import run_checks
    from .load import attach_lines, load_ledger

    path = ledger_path(ctx, ledger)
    result = load_ledger(path)
    if result.ledger is None:
        print_problems(result.problems)
        raise typer.Exit(EXIT_USAGE)
    problems = result.problems + attach_lines(run_checks(result.ledger), result.texts)
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
