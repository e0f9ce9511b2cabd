"""The monthly report command."""

from __future__ import annotations

import contextlib
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from target_tracker.cli import common
from target_tracker.cli.common import (
    LedgerOption,
    app,
    fail,
    ledger_path,
    load_checked,
    use_ledger_language,
)  # fmt: skip
from target_tracker.i18n import N_, _
from target_tracker.reports import REPORT_FORMATS

if TYPE_CHECKING:
    from target_tracker.reports.charts import Drawer

#: File extension -> report format.
EXTENSIONS = {".md": "md", ".html": "html", ".json": "json", ".csv": "csv", ".docx": "docx", ".xlsx": "xlsx"}
#: --format values; "markdown" is "md".
FORMAT_NAMES = REPORT_FORMATS
MONTH_FIELD = "{month}"

# -- reports --------------------------------------------------------------------------


def generated_on() -> date:
    """The report's "generated on" date; honours SOURCE_DATE_EPOCH for reproducible builds."""
    from datetime import UTC, datetime

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC).date()
        except (ValueError, OverflowError, OSError):
            fail(_("SOURCE_DATE_EPOCH='{value}' is not a number of seconds").format(value=epoch))
    return common.today()


def format_for(fmt: str | None, out: Path | None, series: bool) -> str:
    """The report format: --format, else the --out file's extension, else md.

    Rules (README, "Monthly reports"): a file name's extension must be one
    of .md .html .json .csv .docx .xlsx and agree with --format when both are
    given; a name without an extension takes --format. With --from/--to,
    --out is a folder (no extension) or a pattern holding {month}.
    """
    if fmt is not None and fmt not in FORMAT_NAMES:
        fail(_("--format: unknown report format '{format}': use {formats}").format(
            format=fmt, formats=", ".join(f for f in FORMAT_NAMES if f != "markdown")))  # fmt: skip
    wanted = FORMAT_NAMES[fmt] if fmt else None
    if out is None:
        if wanted in ("docx", "xlsx"):
            fail(_("--format {format} writes a file: give --out FILE.{format}").format(format=wanted))
        return wanted or "md"
    named = str(out)
    suffix = Path(named).suffix.lower()
    if series and MONTH_FIELD not in named:
        if suffix and not out.is_dir():
            fail(_("--out {path} looks like a file name: with --from/--to give a folder or a pattern with "
                   "{{month}}, e.g. reports/{{month}}.{ext}").format(path=out, ext=wanted or "md"))  # fmt: skip
        return wanted or "md"
    if not suffix:
        return wanted or "md"
    by_name = EXTENSIONS.get(suffix)
    if by_name is None:
        fail(_("--out {path}: unknown extension '{ext}': use {exts}, or give --format").format(
            path=out, ext=suffix, exts=" ".join(EXTENSIONS)))  # fmt: skip
    if wanted and wanted != by_name:
        fail(_("--format {format} does not match --out {path}: use a .{format} file name or leave out --format")
             .format(format=wanted, path=out))  # fmt: skip
    return by_name


def output_path(out: Path, month: str, fmt: str, series: bool) -> Path:
    """Where one month's report goes: the pattern with {month} filled, a file
    in the --out folder, or --out itself."""
    named = str(out)
    if MONTH_FIELD in named:
        return Path(named.replace(MONTH_FIELD, month))
    if series:
        return out / f"report-{month}.{fmt}"
    return out


#: Modules openpyxl imports when they are there but a workbook of ours never needs (numpy for its
#: number types, Pillow for pictures): about 0.1-0.2 s of a report's start-up.


def encode(data: str | bytes, fmt: str, to_file: bool) -> bytes:
    """Bytes to write: CSV to a file starts with a BOM so Excel reads it as UTF-8."""
    if isinstance(data, bytes):
        return data
    raw = data.encode("utf-8")
    return b"\xef\xbb\xbf" + raw if fmt == "csv" and to_file else raw


def write_file(path: Path, data: bytes) -> None:
    """Create the folder if needed, refuse a folder in the way, write atomically."""
    from target_tracker.edits.operations import EditError
    from target_tracker.edits.transaction import atomic_write

    try:
        if path.is_dir():
            fail(_("--out {path} is a folder; give a file name (or use --from/--to)").format(path=path))
        if path.exists() and not path.is_file():  # a device or FIFO is never replaced by a file
            fail(_("--out {path} is not a regular file; give a file name").format(path=path))
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
    except EditError as e:
        fail(str(e))
    except OSError as e:
        fail(_("{path}: cannot write: {reason}").format(path=path, reason=e.strerror or e))


@app.command()
def report(
    ctx: typer.Context,
    ledger: LedgerOption = None,
    month: Annotated[
        str | None, typer.Option("--month", help=N_("YYYY-MM (default: the last complete month)."))
    ] = None,
    from_: Annotated[str | None, typer.Option("--from", help=N_("First month of a series, YYYY-MM."))] = None,
    to: Annotated[
        str | None, typer.Option("--to", help=N_("Last month of a series, YYYY-MM (default: --from)."))
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-F",
            help=N_("md, html, json, csv, docx or xlsx (default: from --out's extension, else md)."),
            show_default=False,
        ),
    ] = None,  # fmt: skip
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help=N_("File to write; with --from/--to a folder or a pattern such as reports/{month}.docx."),
        ),
    ] = None,  # fmt: skip
    area: Annotated[list[str] | None, typer.Option("--area", help=N_("Only this area (repeatable)."))] = None,
    publish: Annotated[
        bool, typer.Option("--publish", help=N_("Record in the ledger that this month's report is issued today."))
    ] = False,
    as_reported: Annotated[
        bool,
        typer.Option("--as-reported", help=N_("This month as known when its report was issued, not as known now.")),
    ] = False,
) -> None:
    """The monthly progress report for leadership, ready to send.

    Evaluated as of the month's last day and compared with the month before:
    headline, what needs attention, the month's progress, every target by
    area, next month, stale figures, and the method and sources. Word (.docx)
    and Excel (.xlsx, the ledger as a workbook) besides Markdown, HTML, JSON
    and CSV.

    \b
    Examples:
      tracker report                                  last month, Markdown, on screen
      tracker report --month 2021-10 --out report-2021-10.docx
      tracker report --month 2021-10 --out ledger-2021-10.xlsx
      tracker report --from 2021-01 --to 2021-12 --out reports/{month}.html
      tracker report --from 2021-01 --to 2021-12 --format docx --out reports/
      tracker report --month 2021-10 --out report-2021-10.docx --publish
    """
    from target_tracker.dates import DateError, last_complete_month, month_range, parse_month

    use_ledger_language(ctx, ledger)  # a bad month or option is told in the ledger's language too
    if month and from_:
        fail(_("give either --month or --from/--to, not both"))
    if publish and from_:
        fail(_("--publish records one month's report: give --month"))
    series = bool(from_)
    kind = format_for(fmt, out, series)
    try:
        if from_:
            months = month_range(from_, to or from_)
            if out is None:
                fail(_("--from/--to writes one file per month: give --out FOLDER or --out 'reports/{month}.md'"))
        else:
            if to:
                fail(_("--to goes with --from"))
            months = [month or last_complete_month(common.today())]
            parse_month(months[0])
    except DateError as e:
        fail(str(e))
    with contextlib.ExitStack() as stack:
        drawer = None
        if kind in ("docx", "html"):  # charts: matplotlib is imported by a second process while the ledger is read
            from target_tracker.reports.chart_process import ChartProcess, worth_starting

            drawer = stack.enter_context(ChartProcess()) if worth_starting() else None
        stamp = _write_reports(ctx, ledger, months, kind, out, series, area, as_reported, drawer)
    if publish:
        _publish(ctx, ledger, months[0], stamp)  # the report's own date: one date, SOURCE_DATE_EPOCH too


def _write_reports(ctx: typer.Context, ledger: Path | None, months: list[str], kind: str, out: Path | None,
                   series: bool, area: list[str] | None, as_reported: bool, drawer: Drawer | None) -> date:  # fmt: skip
    """Load the ledger and write each month's report; the report's date."""
    model = load_checked(ctx, ledger_path(ctx, ledger))
    if area:
        from target_tracker.selection import unknown_areas

        missing = unknown_areas((t.area for t in model.targets.values()), area)
        if missing:
            fail(_("--area: no targets in {areas}").format(areas=_(", ").join(missing)))
    from target_tracker.reports.data import build_report
    from target_tracker.reports.render import render_report

    stamp = generated_on()
    if kind == "xlsx":
        common.import_openpyxl_lean()
    for m in months:
        data = render_report(build_report(model, m, stamp, area, reported=as_reported), kind, drawer)
        if out is None:
            sys.stdout.write(data if isinstance(data, str) else "")
            continue
        target = output_path(out, m, kind, series)
        write_file(target, encode(data, kind, to_file=True))
        typer.echo(_("wrote {file}").format(file=target), err=True)
    return stamp


def _publish(ctx: typer.Context, ledger: Path | None, month: str, day: date) -> None:
    """Record the month's issue date (the report's date) in the main ledger file, through the one write path."""
    from target_tracker.cli.common import cache_for
    from target_tracker.edits.operations import EditError
    from target_tracker.edits.published import AlreadyPublished, record_published
    from target_tracker.edits.transaction import commit_edit

    try:
        commit_edit(ledger_path(ctx, ledger), lambda main, _text: (main, lambda t: record_published(t, month, day)),
                    cache=cache_for(ctx))  # fmt: skip
    except AlreadyPublished as e:
        typer.echo(f"tracker: {e}", err=True)
        return
    except EditError as e:
        fail(str(e))
    typer.echo(_("recorded: the {month} report was issued on {day}").format(month=month, day=day.isoformat()),
               err=True)  # fmt: skip
