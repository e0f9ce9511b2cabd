"""What every command shares: the Typer app, common options, the one way to fail,
loading a checked ledger, printing a view, and the edit and output helpers.

The ``tracker`` command line only parses options, calls the library, renders
and sets the exit code.

Only this module reads the clock, the environment and the terminal. Heavy
modules (tomlkit, dateutil, Jinja2, matplotlib) are imported inside the
commands that need them, so ``tracker status`` starts fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from typer.core import TyperGroup

from target_tracker import __version__
from target_tracker.cli.help import TrackerTyper, TranslatedHelp
from target_tracker.i18n import N_, LanguageError, _, choose_language, language, ngettext, use_language
from target_tracker.ledger.model import Problem


class LanguageGroup(TranslatedHelp, TyperGroup):
    """The ``tracker`` group: takes ``--lang`` anywhere on the line (before or
    after the command name) and sets the interface language before any command
    runs or any help is shown (cli/help.py translates the help screens)."""

    def parse_args(self, ctx, args):  # type: ignore[no-untyped-def]
        flag, rest = split_lang_option(args)
        ctx.meta["lang_fixed"] = flag is not None or bool(os.environ.get("TRACKER_LANG"))
        try:
            use_language(choose_language(flag, os.environ))  # the ledger's setting refines it once loaded
        except LanguageError as e:
            fail(str(e))
        with chinese_usage_errors():
            return super().parse_args(ctx, rest)

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        with chinese_usage_errors():  # a command's own options are parsed in here
            return super().invoke(ctx)


@contextmanager
def chinese_usage_errors() -> Iterator[None]:
    """In Chinese, a usage error (unknown option, missing argument...) is one translated line.

    Typer's own copy of click words these in English with no gettext hook, so they are
    re-worded here from the exception's fields; English keeps click's usual message."""
    from target_tracker.cli.language import SHOWS_HELP, USAGE_ERRORS, usage_error_text

    try:
        yield
    except USAGE_ERRORS as e:
        if language() != "zh" or isinstance(e, SHOWS_HELP):  # plain `tracker` shows the help, in Chinese too
            raise
        fail(usage_error_text(e))


def split_lang_option(args: list[str]) -> tuple[str | None, list[str]]:
    """``--lang X`` / ``--lang=X`` taken out of ``args`` (the last one wins; none after ``--``)."""
    flag, rest, i = None, [], 0
    while i < len(args):
        a = args[i]
        if a == "--":
            rest += args[i:]
            break
        if a == "--lang":
            if i + 1 >= len(args):
                fail(_("--lang needs a value: zh or en"))
            flag, i = args[i + 1], i + 2
            continue
        if a.startswith("--lang="):
            flag = a[len("--lang=") :]
        else:
            rest.append(a)
        i += 1
    return flag, rest


def refine_language(ctx: typer.Context, ledger_lang: str | None) -> bool:
    """Use the ledger's ``[settings] lang`` unless --lang or $TRACKER_LANG chose; True if it changed."""
    if ctx.meta.get("lang_fixed") or not ledger_lang or ledger_lang == language():
        return False
    use_language(choose_language(None, os.environ, ledger_lang))
    return True


def use_ledger_language(ctx: typer.Context, ledger: Path | None) -> None:
    """Before an edit: speak the ledger's ``[settings] lang`` (unless --lang or $TRACKER_LANG chose),
    so that a refusal, not only the effect, is told in the office's language."""
    if not ctx.meta.get("lang_fixed"):
        from target_tracker.cli.language import ledger_lang_of

        refine_language(ctx, ledger_lang_of(ledger_path(ctx, ledger)))


app = TrackerTyper(
    cls=LanguageGroup,
    name="tracker",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_DATA_ERRORS = 1  # tracker check found errors in the data
EXIT_USAGE = 2  # bad input: missing or broken ledger, bad option value, refused edit


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """One line on stderr and a non-zero exit; never a traceback. Line breaks
    in what the user typed (quoted in the message) are shown escaped."""
    one_line = message.replace("\r", "\\r").replace("\n", "\\n")
    typer.echo(f"tracker: {one_line}", err=True)
    raise typer.Exit(code)


LedgerOption = Annotated[
    Path | None,
    typer.Option(
        "-f",
        "--ledger",
        help=N_("Ledger file. Default: $TRACKER_LEDGER, else ./targets.toml."),
        show_default=False,
    ),
]
FormatOption = Annotated[
    str,
    typer.Option("--format", "-F", help=N_("text, markdown, csv, json, or a table style: simple, github, grid...")),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help=N_("Evaluate as of this date: 2021-10-31, 2021-10 (month end), 'Oct 2021'.")),
]


@app.callback(invoke_without_command=True)
def main_options(
    ctx: typer.Context,
    ledger: LedgerOption = None,
    version: Annotated[bool, typer.Option("--version", help=N_("Print the version and exit."))] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help=N_("Parse the ledger afresh; do not read or write the cache."))
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help=N_(
                "Interface language, zh or en (before or after the command). "
                "Default: $TRACKER_LANG, else the ledger's [settings] lang, else the locale."
            ),
        ),
    ] = None,
) -> None:
    """Track a city's public commitments in targets.toml: status, checks, edits and monthly reports.

    \b
    Examples:
      tracker status                      where every commitment stands today
      tracker status --as-of 2021-10      as the ledger stood at the end of Oct 2021
      tracker show reform-tasks           one target in full, with its sources
      tracker check                       validate targets.toml
      tracker update reform-tasks 95      record a figure, dated today
      tracker report --out report.docx    last month's report for leadership, in Word
      tracker COMMAND --help              one command's options and examples
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
    from target_tracker.ledger.cache import FileCache, cache_folder

    root = ctx.find_root()
    state = root.obj if isinstance(root.obj, dict) else {}
    if state.get("no_cache"):
        return None
    if "cache" in state:
        return state["cache"]
    cache = None if os.environ.get("TRACKER_NO_CACHE") else FileCache(cache_folder(os.environ, os.path.expanduser("~")))
    state["cache"] = cache
    if cache is not None:

        def warn() -> None:  # why an unsafe cache folder was not used, once, at the end
            cache.close()
            if cache.warning:
                typer.echo(_("tracker: warning: {message}").format(message=cache.warning), err=True)

        root.call_on_close(warn)
    return cache


def freeze_model() -> None:
    """The loaded model lives until exit: later collections need not scan it
    (a process-wide choice, so the CLI's, not the library's)."""
    import gc

    gc.freeze()


def today() -> date:
    return date.today()


def parse_day(text: str | None, what: str = "--date") -> date:
    """A date the user typed (default: today), or a one-line error naming the option."""
    from target_tracker.dates import DateError, parse_date

    if text is None:
        return today()
    try:
        return parse_date(text, today=today())
    except DateError as e:
        fail(_("{option}: {error}").format(option=what, error=e))


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
        typer.echo(_("... and {n} more").format(n=len(problems) - limit), err=True)


def load_checked(ctx: typer.Context, path: Path):  # type: ignore[no-untyped-def]
    """Load and check the ledger; refuse (exit 2) if it has errors."""
    from target_tracker.ledger.checks import load_and_check

    result, problems = load_and_check(path, cache=cache_for(ctx))
    if result.ledger is not None and refine_language(ctx, result.ledger.settings.lang):
        result, problems = load_and_check(path, cache=cache_for(ctx))  # its problems in the ledger's language
    freeze_model()
    errors = [p for p in problems if p.severity == "error"]
    if result.ledger is None:
        fail(str(problems[0]))
    if errors:
        print_problems(errors, limit=5)
        fail(
            ngettext(
                "{file}: {n} error in the ledger; run 'tracker check' to see it",
                "{file}: {n} errors in the ledger; run 'tracker check' to see them all",
                len(errors),
            ).format(file=path, n=len(errors))
        )
    print_problems([p for p in problems if p.severity == "warning"], limit=5)
    return result.ledger


def check_format(fmt: str) -> str:
    """Validate --format before any work is done."""
    from target_tracker.output.render import FormatError
    from target_tracker.output.render import check_format as check

    try:
        return check(fmt)
    except FormatError as e:
        fail(_("--format: {error}").format(error=e))


def emit(view, fmt: str) -> None:  # type: ignore[no-untyped-def]
    from target_tracker.output.render import render

    sys.stdout.write(render(view, check_format(fmt), color=use_color(fmt)))


def main() -> None:
    """Console-script entry point: no traceback ever reaches a planner."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo(_("tracker: interrupted"), err=True)
        sys.exit(130)
    except (BrokenPipeError, SystemExit):
        raise
    except Exception as e:  # pragma: no cover - last resort
        if os.environ.get("TRACKER_DEBUG"):
            raise
        typer.echo(_("tracker: internal error: {error} (set TRACKER_DEBUG=1 for details)").format(
            error=f"{type(e).__name__}: {e}"), err=True)  # fmt: skip
        sys.exit(3)


# -- editing ------------------------------------------------------------------------

DryRunOption = Annotated[bool, typer.Option("--dry-run", help=N_("Print the change as a unified diff; write nothing."))]
DateOption = Annotated[str | None, typer.Option("--date", help=N_("Date of the figure: 2021-10-31 (default: today)."))]
#: `done` and `undone`: which stage of which target.
MilestonesArgument = Annotated[str, typer.Argument(metavar="ID", help=N_("A milestones target's id."))]
StageArgument = Annotated[
    str, typer.Argument(metavar="STAGE", help=N_("The stage's name (or its start) or number (1 = first)."))
]


ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help=N_(
            "Do it although tracker would refuse: a read-only ledger file; for update and done, a date in the future "
            "or after the due date."
        ),
    ),
]


def run_edit(ctx: typer.Context, ledger: Path | None, edit, dry_run: bool, force: bool = False):  # type: ignore[no-untyped-def]
    """Apply one Edit through the single write path; print the diff on --dry-run.

    Returns the :class:`~target_tracker.edits.operations.Applied` edit."""
    from target_tracker.edits.operations import EditError
    from target_tracker.edits.transaction import edit_ledger

    main = ledger_path(ctx, ledger)
    try:
        result = edit_ledger(main, [edit], today=today(), force=force, dry_run=dry_run, cache=cache_for(ctx))
    except EditError as e:
        fail(str(e))
    refine_language(ctx, result.ledger.settings.lang)  # the effect is told in the ledger's language
    if dry_run:
        for change in result.changes:
            show_dry_run(change)
    return result


def show_dry_run(change) -> None:  # type: ignore[no-untyped-def]
    """--dry-run: the change as a unified diff on stdout, a note on stderr."""
    sys.stdout.write(change.diff())
    typer.echo(_("(dry run: nothing written)"), err=True)


OPENPYXL_EXTRAS = ("numpy", "PIL")


def import_openpyxl_lean() -> None:
    """Import openpyxl without its optional numpy and Pillow support.

    The CLI owns its process, so it may: while openpyxl is imported, those
    modules read as absent (a ``None`` entry in ``sys.modules`` makes their
    import fail), then the entries are removed again. A library caller's
    openpyxl is never touched (this runs only here, and only if neither
    openpyxl nor those modules are loaded yet)."""
    if "openpyxl" in sys.modules or any(m in sys.modules for m in OPENPYXL_EXTRAS):
        return
    blocked = dict.fromkeys(OPENPYXL_EXTRAS)
    sys.modules.update(blocked)  # type: ignore[arg-type]
    try:
        import openpyxl  # noqa: F401
    finally:
        for name in blocked:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
